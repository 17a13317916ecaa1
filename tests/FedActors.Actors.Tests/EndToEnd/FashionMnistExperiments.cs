using Akka.Configuration;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Actors.Tests.Coordination;
using FedActors.Training;
using FedActors.Training.Data;
using Xunit.Abstractions;

namespace FedActors.Actors.Tests.EndToEnd;

/// <summary>A fact that runs only when FEDACTORS_EXPERIMENTS=1: minutes-long measurements, not CI tests.</summary>
public sealed class ExperimentFactAttribute : FactAttribute
{
    public ExperimentFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("FEDACTORS_EXPERIMENTS") != "1") Skip = "set FEDACTORS_EXPERIMENTS=1 to run experiments";
    }
}

/// <summary>
/// The main experiment's configuration (reference.conf + config/fmnist-fedbuff.conf, overridden by the
/// HOCON in $FEDACTORS_SET) on Fashion-MNIST. The partition is a stand-in until the partitioner lands:
/// each client draws its label mix from Dir(α) and takes the dataset's mean share of samples.
/// </summary>
public class FashionMnistExperiments(ITestOutputHelper output)
{
    private sealed class Log(ITestOutputHelper output) : IRunObserver
    {
        public void OnEvaluation(EvaluationRecord r)
        {
            var line = $"step={r.ServerStep} virtual={r.VirtualSeconds:F0}s wall={r.WallSeconds:F0}s updates={r.UpdatesApplied} " +
                $"accuracy={r.Accuracy:F4} loss={r.Loss:F4} staleness={r.MeanStaleness:F2}/{r.MaxStaleness} up={r.BytesUp} down={r.BytesDown} " +
                $"stale-hist={string.Join(' ', r.Diagnostics.StalenessHistogram.Select(kv => $"{kv.Key}:{kv.Value}"))} cos={r.Diagnostics.MeanCosineToAggregate:F3}";
            output.WriteLine(line);
            if (Environment.GetEnvironmentVariable("FEDACTORS_EXPERIMENT_LOG") is { Length: > 0 } file) File.AppendAllText(file, line + "\n");
        }

        public void OnProgress(RunProgress progress) { }
    }

    private static ReadOnlyMemory<int>[] DirichletByClient(LabeledDataset data, int clients, double alpha, ulong seed)
    {
        var byClass = Enumerable.Range(0, data.NumClasses).Select(c => new List<int>()).ToArray();
        for (int i = 0; i < data.Count; i++) byClass[data.Labels[i]].Add(i);
        var shuffle = DeterministicRandom.For(seed, 0, 0xDA7A);
        foreach (var list in byClass) shuffle.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        var cursor = new int[data.NumClasses];
        int perClient = data.Count / clients;
        var result = new ReadOnlyMemory<int>[clients];
        Span<double> p = stackalloc double[data.NumClasses];
        for (int k = 0; k < clients; k++)
        {
            var rng = DeterministicRandom.For(seed, (ulong)k, 0xDA7B);
            rng.NextDirichlet(alpha, p);
            var mine = new int[perClient];
            for (int j = 0; j < perClient; j++)
            {
                double u = rng.NextDouble(), acc = 0;
                int c = 0;
                while (c < p.Length - 1 && (acc += p[c]) <= u) c++;
                mine[j] = byClass[c][cursor[c]++ % byClass[c].Count];
            }
            result[k] = mine;
        }
        return result;
    }

    private async Task<RunResult> Run(string overrides)
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.Combine(SettingsTestsRoot(), "x")))!;
        var config = ConfigurationFactory.ParseString(overrides + "\n" + (Environment.GetEnvironmentVariable("FEDACTORS_SET") ?? ""))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(root, "config", "fmnist-fedbuff.conf"))))
            .WithFallback(SettingsTests.Reference());
        var (train, test) = IdxDatasetSpec.FashionMnist.Load("/usr/share/datasets/fashion-mnist");
        int clients = config.GetInt("fedactors.population.clients");
        var parts = DirichletByClient(train, clients, config.GetDouble("fedactors.data.partition.alpha"), (ulong)config.GetLong("fedactors.seed"));
        var spec = FederatedRunSpec.Create(config, new PooledClientDataSource(train, clients, k => parts[k]), test);
        var result = await FederatedRun.RunAsync(spec, new Log(output));
        output.WriteLine($"{result.Algorithm}: status={result.Status} steps={result.Counters.ServerSteps} final={result.FinalAccuracy:F4} best={result.BestAccuracy:F4} " +
            $"wall={result.WallSeconds:F1}s virtual={result.Counters.VirtualSeconds:F0}s target@virtual={result.Target?.VirtualSeconds:F0}s target@wall={result.Target?.WallSeconds:F1}s " +
            $"target@updates={result.Target?.Updates} train_seconds={result.Counters.TrainSeconds:F1} rejected={string.Join(',', result.Counters.UpdatesRejected)} dropped={result.Counters.JobsDropped}");
        return result;
    }

    private static string SettingsTestsRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "config", "reference.conf"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "config");
    }

    [ExperimentFact]
    public async Task Main_fedbuff_run() => await Run("fedactors.trainers { slots = 2, threads-per-slot = 1 }");

    [ExperimentFact]
    public async Task FedAvg_baseline() => await Run("fedactors.trainers { slots = 2, threads-per-slot = 1 }\nfedactors.server.algorithm = fedavg");
}
