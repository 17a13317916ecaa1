using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Host.Settings;

/// <summary>
/// <c>fedactors.monitoring</c>: the live dashboard and the Prometheus metrics endpoint of a run or coordinator node.
/// Neither changes the run, so neither is part of its identity.
/// </summary>
public sealed record MonitoringSettings
{
    /// <summary>Serve the dashboard (<c>dashboard</c>, <c>--dashboard</c>). <value>Default false.</value></summary>
    public bool Dashboard { get; init; }

    /// <summary>The dashboard's port; 0 picks a free one (<c>dashboard-port</c>). <value>Default 0.</value></summary>
    public int DashboardPort { get; init; }

    /// <summary>The Prometheus scrape endpoint's port; null: none (<c>metrics-port</c>, <c>--metrics-port</c>). <value>Default null.</value></summary>
    public int? MetricsPort { get; init; }

    /// <summary>The host both listen on (<c>bind</c>): <c>127.0.0.1</c> keeps them local; <c>+</c> listens on every address. <value>Default 127.0.0.1.</value></summary>
    public string Bind { get; init; } = "127.0.0.1";

    /// <summary>Reads and validates <c>fedactors.monitoring</c>.</summary>
    public static MonitoringSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.monitoring");
        int dashboardPort = r.Int("dashboard-port", min: 0);
        int? metricsPort = r.OptionalInt("metrics-port", min: 1);
        if (dashboardPort > 65535) throw new ConfigurationException($"{r.Key("dashboard-port")}: a port is at most 65535, got {dashboardPort}");
        if (metricsPort > 65535) throw new ConfigurationException($"{r.Key("metrics-port")}: a port is at most 65535, got {metricsPort}");
        string bind = r.String("bind");
        if (string.IsNullOrWhiteSpace(bind)) throw new ConfigurationException($"{r.Key("bind")}: must name a host (127.0.0.1, localhost or +)");
        return new MonitoringSettings { Dashboard = r.Bool("dashboard"), DashboardPort = dashboardPort, MetricsPort = metricsPort, Bind = bind };
    }
}
