using System.Diagnostics.Metrics;
using FedActors.Actors.Coordination;
using FedActors.Actors.Privacy;
using FedActors.Actors.Runs;
using FedActors.Host.Monitoring;

namespace FedActors.Host.Tests.Monitoring;

public class RunMetricsPrivacySpecs
{
    private static RunProgress Progress(int maxParticipation) =>
        new(10, 30, 5, 1, 1, 4, new RunCounters(10, 30, new Dictionary<string, long>(), 0, 34, 0, 300, 1, 0, 0, 1) { MaxParticipation = maxParticipation });

    private static List<double> Measure(RunMetrics metrics)
    {
        var seen = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RunMetrics.MeterName && instrument.Name == "fedactors.privacy_epsilon") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => seen.Add(value));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    [Fact(DisplayName = "The metrics endpoint must report the ε a DP run has spent at its last progress tick, and no ε without DP")]
    public void Epsilon_gauge_follows_participation()
    {
        var accounting = new ClientLevelAccounting(2.0, 1e-5);
        using (var metrics = new RunMetrics(accounting))
        {
            Assert.Empty(Measure(metrics)); // no tick yet
            metrics.OnProgress(Progress(3));
            Assert.Equal([accounting.After(3).Epsilon], Measure(metrics));
        }
        using (var plain = new RunMetrics())
        {
            plain.OnProgress(Progress(3));
            Assert.Empty(Measure(plain));
        }
    }
}
