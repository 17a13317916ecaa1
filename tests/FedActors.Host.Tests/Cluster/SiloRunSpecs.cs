using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FedActors.Host.Tests.Persistence;
using Xunit.Abstractions;

namespace FedActors.Host.Tests.Cluster;

/// <summary>
/// Real clients as OS processes: a coordinator with <c>fedactors.cluster.clients = registered</c> and two
/// client nodes (silos) that hold Synthetic(1, 1) clients of their own, on the wall clock.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class SiloRunSpecs(ITestOutputHelper output)
{
    private const int Steps = 12;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Six clients, two silos (silo 0 holds 0, 2, 4; silo 1 holds 1, 3, 5), FedBuff in wall-clock time.</summary>
    private static string Config() => string.Create(CultureInfo.InvariantCulture, $$"""
        fedactors {
          seed = 11
          data {
            dataset = synthetic
            synthetic { alpha = 1.0, beta = 1.0, iid = false }
          }
          population { clients = 6 }
          model { name = logreg }
          client { local-epochs = 1, batch-size = 10, lr = 0.01 }
          run { target-accuracy = null, max-server-steps = {{Steps}}, eval-every-steps = 4 }
          server { algorithm = fedbuff, concurrency = 4, buffer-size = 2 }
          simulation { clock = wall }
          trainers { slots = 1, threads-per-slot = 1 }
          cluster { clients = registered, min-clients = 6 }
          client-node { silo { count = 2 } }
        }

        """);

    [Fact(DisplayName = "Silo processes must register their clients, train only their own, and every applied update must come from the silo that holds its client")]
    public async Task Silos_must_train_only_their_own_clients()
    {
        using var dir = new TempDir();
        var config = Path.Combine(dir.Path, "silos.conf");
        await File.WriteAllTextAsync(config, Config());
        int c = ClusterExperiment.FreePort(), s0 = ClusterExperiment.FreePort(), s1 = ClusterExperiment.FreePort();
        var runDir = Path.Combine(dir.Path, "coordinator");
        FedActorsProcess? coordinator = null, silo0 = null, silo1 = null;
        try
        {
            var clock = Stopwatch.StartNew();
            coordinator = ClusterExperiment.StartNode(dir.Path, config, "coordinator", c, [c], "--out", runDir, "--set", "fedactors.persistence.provider=memory");
            silo0 = ClusterExperiment.StartNode(dir.Path, config, "client", s0, [c], "--set", "fedactors.client-node.silo.index=0");
            silo1 = ClusterExperiment.StartNode(dir.Path, config, "client", s1, [c], "--set", "fedactors.client-node.silo.index=1");

            int code = await coordinator.WaitForExitAsync(Timeout);
            Assert.True(code == 0, $"the coordinator exited {code}:\n{coordinator.Error}\n{FedActorsProcess.Tail(coordinator.Output)}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silo run: {clock.Elapsed.TotalSeconds:F1} s wall"));
            output.WriteLine(FedActorsProcess.Tail(coordinator.Output, 3));
            var summary = RunFiles.Summary(runDir);
            Assert.Equal("completed", summary.GetProperty("status").GetString());
            Assert.Equal(Steps, summary.GetProperty("server_steps").GetInt64());

            // Each silo holds its own clients (and so its own data), and registered them with the coordinator.
            var held = new Dictionary<FedActorsProcess, int[]> { [silo0] = [0, 2, 4], [silo1] = [1, 3, 5] };
            var shas = new List<string>();
            foreach (var (silo, clients) in held)
            {
                var started = Started().Match(silo.Output);
                Assert.True(started.Success, $"no start line:\n{FedActorsProcess.Tail(silo.Output)}");
                Assert.Equal(string.Join(",", clients), started.Groups["clients"].Value);
                shas.Add(started.Groups["sha"].Value);
                Assert.Contains("registered 3 client(s) with the coordinator at akka.tcp://fedactors@127.0.0.1:" + c.ToString(CultureInfo.InvariantCulture), silo.Output);
            }
            Assert.NotEqual(shas[0], shas[1]);

            // A silo trains its own clients only.
            var trainedBy = new Dictionary<long, FedActorsProcess>();
            foreach (var (silo, clients) in held)
            {
                var jobs = Trained().Matches(silo.Output).Select(m => (Job: long.Parse(m.Groups["job"].Value, CultureInfo.InvariantCulture),
                    Client: int.Parse(m.Groups["client"].Value, CultureInfo.InvariantCulture))).ToList();
                Assert.NotEmpty(jobs);
                Assert.All(jobs, j => Assert.Contains(j.Client, clients));
                foreach (var j in jobs) Assert.True(trainedBy.TryAdd(j.Job, silo), $"job {j.Job} was trained twice");
            }

            // Every applied update is a job that the silo holding its client trained, and both silos contributed.
            var applied = RunFiles.Rows(Path.Combine(runDir, "updates.csv"), "server_step,job,client_id,base_version,staleness")
                .Select(r => (Job: long.Parse(r[1], CultureInfo.InvariantCulture), Client: int.Parse(r[2], CultureInfo.InvariantCulture))).ToList();
            Assert.Equal(Steps * 2, applied.Count);
            foreach (var (job, client) in applied)
            {
                Assert.True(trainedBy.TryGetValue(job, out var silo), $"applied job {job} (client {client}) was trained by no silo");
                Assert.Contains(client, held[silo]);
            }
            Assert.Equal(2, applied.Select(a => trainedBy[a.Job]).Distinct().Count());
            Assert.Equal(0, summary.GetProperty("updates_rejected").EnumerateObject().Sum(p => p.Value.GetInt64()));
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([coordinator, silo0, silo1]);
        }
    }

    [GeneratedRegex(@"started as client node silo-\d \(\d of \d\): clients \[(?<clients>[\d,]*)\], \d+ samples of synthetic, data sha256 (?<sha>[0-9a-f]{64})")]
    private static partial Regex Started();

    [GeneratedRegex(@"trained job (?<job>\d+) for client (?<client>\d+) from version \d+")]
    private static partial Regex Trained();
}
