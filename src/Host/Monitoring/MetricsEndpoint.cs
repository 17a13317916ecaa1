using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FedActors.Host.Monitoring;

/// <summary>
/// A Prometheus scrape endpoint (<c>http://&lt;bind&gt;:&lt;port&gt;/metrics</c>) for the <see cref="RunMetrics.MeterName"/>
/// meter, through OpenTelemetry's Prometheus HttpListener exporter. Metric names follow OpenTelemetry's Prometheus
/// conventions: <c>fedactors.updates_applied</c> is scraped as <c>fedactors_updates_applied_total</c>.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    private readonly MeterProvider _provider;

    private MetricsEndpoint(MeterProvider provider, string url)
    {
        _provider = provider;
        Url = url;
    }

    /// <summary>The scrape URL.</summary>
    public string Url { get; }

    /// <summary>Starts listening on <paramref name="bind"/>:<paramref name="port"/>.</summary>
    /// <exception cref="FedActorsException">The port cannot be listened on.</exception>
    public static MetricsEndpoint Start(string bind, int port)
    {
        var prefix = $"http://{bind}:{port}/";
        try
        {
            var provider = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService("fedactors"))
                .AddMeter(RunMetrics.MeterName)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = bind;
                    o.Port = port;
                })
                .Build();
            var display = bind is "+" or "*" ? "localhost" : bind;
            return new MetricsEndpoint(provider, $"http://{display}:{port}/metrics");
        }
        catch (Exception e) when (e is System.Net.HttpListenerException or InvalidOperationException)
        {
            throw new FedActorsException($"cannot serve metrics on {prefix} (fedactors.monitoring.metrics-port): {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _provider.Dispose();
}
