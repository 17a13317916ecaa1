using FedActors.Actors.Runs;
using FedActors.Host.Dashboard;
using FedActors.Host.Settings;

namespace FedActors.Host.Monitoring;

/// <summary>
/// What watches one run in this process, as <c>fedactors.monitoring</c> asks: the live dashboard and the Prometheus
/// endpoint, each an observer of the coordinator. Started before the run, disposed after it.
/// </summary>
public sealed class RunMonitors : IAsyncDisposable
{
    private readonly DashboardServer? _server;
    private readonly MetricsEndpoint? _endpoint;
    private readonly RunMetrics? _metrics;

    private RunMonitors(DashboardFeed? feed, DashboardServer? server, RunMetrics? metrics, MetricsEndpoint? endpoint)
    {
        Dashboard = feed;
        _server = server;
        _metrics = metrics;
        _endpoint = endpoint;
        Observers = new IRunObserver?[] { feed, metrics }.OfType<IRunObserver>().ToArray();
    }

    /// <summary>The dashboard's feed, when one is served.</summary>
    public DashboardFeed? Dashboard { get; }

    /// <summary>The observers to hand the run.</summary>
    public IReadOnlyList<IRunObserver> Observers { get; }

    /// <summary>Starts what <paramref name="settings"/> asks for and tells <paramref name="announce"/> where each listens.</summary>
    /// <exception cref="FedActorsException">A port cannot be listened on; nothing is left running.</exception>
    /// <param name="settings">What to start.</param>
    /// <param name="title">What runs.</param>
    /// <param name="maxServerSteps">The run's length.</param>
    /// <param name="announce">Told where each monitor listens.</param>
    /// <param name="privacy">The run's DP accounting, for the dashboard's ε; null when DP is off.</param>
    public static RunMonitors Start(MonitoringSettings settings, string title, long? maxServerSteps, Action<string> announce,
        Actors.Privacy.ClientLevelAccounting? privacy = null)
    {
        DashboardFeed? feed = null;
        DashboardServer? server = null;
        RunMetrics? metrics = null;
        MetricsEndpoint? endpoint = null;
        try
        {
            if (settings.Dashboard)
            {
                feed = new DashboardFeed(title, maxServerSteps, privacy);
                server = DashboardServer.Start(feed, settings.Bind, settings.DashboardPort);
                announce($"dashboard: {server.Url}");
            }
            if (settings.MetricsPort is int port)
            {
                metrics = new RunMetrics(privacy);
                endpoint = MetricsEndpoint.Start(settings.Bind, port);
                announce($"metrics: {endpoint.Url}");
            }
            return new RunMonitors(feed, server, metrics, endpoint);
        }
        catch
        {
            endpoint?.Dispose();
            metrics?.Dispose();
            server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Tells the dashboard how the run ended, with its final counts.</summary>
    public void Finished(RunResult result) =>
        Dashboard?.Finished(Runs.RunStatusNames.Of(result.Status), result.Counters, result.WallSeconds);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _endpoint?.Dispose();
        _metrics?.Dispose();
    }
}
