using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FedActors.Actors.Cluster;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;
using FedActors.Host.Tests.Persistence;
using FedActors.Tests.Shared;
using FedActors.Training.LocalTraining;
using Xunit.Abstractions;

namespace FedActors.Host.Tests.Cluster;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    /// <summary>Cluster specs start several processes each: never two specs at once on two cores.</summary>
    public const string Name = "cluster processes";
}

/// <summary>A private PostgreSQL and the one-process reference hash of <see cref="ClusterExperiment"/>, made once for the specs.</summary>
public sealed class ClusterReference : IAsyncLifetime
{
    /// <summary>Server steps of the experiment.</summary>
    public const int Steps = 600;

    private readonly TempDir _dir = new();

    /// <summary>The server.</summary>
    public PrivatePostgres Postgres { get; private set; } = null!;

    /// <summary>The config file.</summary>
    public string Config { get; private set; } = "";

    /// <summary>The one-process run's model_sha256.</summary>
    public string OneProcessHash { get; private set; } = "";

    /// <summary>The model_sha256 of the one-process run whose clients send their updates sign-flipped (the test host's transform).</summary>
    public string OneProcessSignFlipHash { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Postgres = await PrivatePostgres.StartAsync();
        Config = ClusterExperiment.WriteConfig(_dir.Path, Steps);
        OneProcessHash = await ClusterExperiment.OneProcessHashAsync(_dir.Path, Config);
        OneProcessSignFlipHash = await ClusterExperiment.OneProcessHashAsync(_dir.Path, Config, FedActorsProcess.TestHostAssembly, ClusterExperiment.SignFlip);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Postgres.DisposeAsync();
        _dir.Dispose();
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ClusterRunSpecs(ClusterReference reference, ITestOutputHelper output) : IClassFixture<ClusterReference>
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    [Fact(DisplayName = "A node must log its address and membership, answer fedactors status, and leave the cluster on SIGTERM")]
    public async Task Node_must_log_membership_answer_status_and_leave_on_SIGTERM()
    {
        using var dir = new TempDir();
        int port = ClusterExperiment.FreePort();
        FedActorsProcess? worker = null;
        try
        {
            worker = ClusterExperiment.StartNode(dir.Path, reference.Config, "worker", port, [port], "--set", "fedactors.cluster.min-workers=1");
            var address = $"akka.tcp://fedactors@127.0.0.1:{port}";
            await ClusterExperiment.WaitForOutputAsync(worker, o => o.Contains($"member up: {address} [worker]"), StartupTimeout, "member up");
            Assert.Contains($"node {address} started as worker", worker.Output);

            using (var status = FedActorsProcess.Start(dir.Path, ["status", "--node", $"127.0.0.1:{port}"]))
            {
                Assert.Equal(0, await status.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                output.WriteLine(status.Output);
                Assert.Contains($"{address}  Up  [worker]", status.Output);
                Assert.Contains("run: no coordinator answered", status.Output);
            }

            await worker.Signal("TERM");
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("left the cluster", worker.Output);
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([worker]);
        }
    }

    [Fact(DisplayName = "A coordinator and two workers as OS processes, clients sending sign-flipped updates, must end with the one-process run's model_sha256")]
    public async Task Three_processes_must_end_with_the_one_process_model()
    {
        // The sign flip is lossless, so the one-process runs with and without it agree; the cluster must too, which it
        // can only if the workers' trainers encode, the wire carries the payload as encoded, and the coordinator decodes.
        Assert.Equal(reference.OneProcessHash, reference.OneProcessSignFlipHash);
        using var dir = new TempDir();
        var db = await reference.Postgres.CreateDatabaseAsync();
        int c = ClusterExperiment.FreePort(), w1 = ClusterExperiment.FreePort(), w2 = ClusterExperiment.FreePort();
        var runDir = Path.Combine(dir.Path, "coordinator");
        var host = FedActorsProcess.TestHostAssembly;
        FedActorsProcess? coordinator = null, worker1 = null, worker2 = null;
        try
        {
            var clock = Stopwatch.StartNew();
            coordinator = ClusterExperiment.StartNode(host, dir.Path, reference.Config, "coordinator", c, [c],
                ["--out", runDir, "--dashboard", .. ClusterExperiment.Postgres(db), .. ClusterExperiment.SignFlip]);
            worker1 = ClusterExperiment.StartNode(host, dir.Path, reference.Config, "worker", w1, [c], ClusterExperiment.SignFlip);
            worker2 = ClusterExperiment.StartNode(host, dir.Path, reference.Config, "worker", w2, [c], ClusterExperiment.SignFlip);

            // Status and the dashboard while the run goes on: members, shards, progress. The dashboard is read from the
            // start, beside the status command, because a fast machine finishes the run within seconds.
            var dashboard = DashboardMustListTheClusterAsync(coordinator, w1, w2);
            await ClusterExperiment.WaitForOutputAsync(coordinator, o => ClusterExperiment.LastStep(o) >= 100 || o.Contains("completed:"), ClusterExperiment.RunTimeout, "step 100");
            using (var status = FedActorsProcess.Start(dir.Path, ["status", "--node", $"127.0.0.1:{w1}"]))
            {
                Assert.Equal(0, await status.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                output.WriteLine(status.Output);
                Assert.Contains("members (3)", status.Output);
            }
            await dashboard;

            int code = await coordinator.WaitForExitAsync(ClusterExperiment.RunTimeout);
            Assert.True(code == 0, $"the coordinator exited {code}:\n{coordinator.Error}\n{FedActorsProcess.Tail(coordinator.Output)}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster run: {clock.Elapsed.TotalSeconds:F1} s wall"));
            output.WriteLine(FedActorsProcess.Tail(coordinator.Output, 3));
            var summary = RunFiles.Summary(runDir);
            Assert.Equal("completed", summary.GetProperty("status").GetString());
            Assert.Equal(ClusterReference.Steps, summary.GetProperty("server_steps").GetInt64());
            Assert.Equal(reference.OneProcessSignFlipHash, summary.GetProperty("model_sha256").GetString());
            Assert.Contains("transforms = [\"sign-flip\"]", File.ReadAllText(Path.Combine(runDir, "run.conf")));

            // bytes_up and bytes_down are the bytes the wire serializer wrote, as cluster.json breaks them down, and
            // weights crossed the wire once per version and node, not per job.
            var traffic = Traffic(runDir);
            long bytesUp = summary.GetProperty("bytes_up").GetInt64(), bytesDown = summary.GetProperty("bytes_down").GetInt64();
            output.WriteLine($"bytes up {bytesUp:N0}, down {bytesDown:N0}; cluster.json: {traffic.Jobs} assignments, {traffic.ModelChunks} model chunks, " +
                             $"{traffic.Unavailable} versions unavailable, {traffic.UpdateChunks} update chunks, {traffic.Resent} jobs resent");
            Assert.Equal(traffic.Up, bytesUp);
            Assert.Equal(traffic.Down, bytesDown);
            // logreg on 60 features and 10 classes: 610 parameters, so one chunk per version and a whole update each.
            const int parameters = 60 * 10 + 10;
            long assignment = WireSerializer.SizeOf(new ClusterProtocol.TrainAssignment(new JobId(0), 0, 0, new LocalTrainingOptions(), 0));
            long chunk = WireSerializer.SizeOf(new ClusterProtocol.ModelChunk(0, 0, parameters, new float[parameters]));
            // An assignment names the job the client continues from (error feedback): 8 bytes more than the 76 before it.
            Assert.Equal((84L, 24 + 4L * parameters), (assignment, chunk));
            Assert.Equal(traffic.Jobs * assignment + traffic.ModelChunks * chunk + traffic.Unavailable * WireSerializer.SizeOf(new ClusterProtocol.ModelVersionUnavailable(0)), bytesDown);
            Assert.Equal(0, traffic.UpdateChunks);
            long update = WireSize.OfUpdate(new DensePayload(new float[parameters]));
            Assert.Equal(0, bytesUp % update);
            Assert.True(bytesUp / update >= summary.GetProperty("updates_applied").GetInt64(), "every applied update crossed the wire");
            Assert.True(traffic.ModelChunks <= 2 * (ClusterReference.Steps + 1), $"{traffic.ModelChunks} model chunks: versions must be fetched once per node, not shipped per job");
            Assert.True(traffic.Jobs >= summary.GetProperty("updates_applied").GetInt64());
            // metrics.csv counts the same bytes up to each evaluation.
            var rows = RunFiles.Rows(Path.Combine(runDir, "metrics.csv"), MetricsHeader);
            Assert.NotEmpty(rows);
            long lastUp = long.Parse(rows[^1][8], CultureInfo.InvariantCulture), lastDown = long.Parse(rows[^1][9], CultureInfo.InvariantCulture);
            Assert.InRange(lastUp, 1, bytesUp);
            Assert.InRange(lastDown, 1, bytesDown);
            Assert.Equal(0, lastUp % update);

            foreach (var w in new[] { worker1, worker2 })
            {
                await w.Signal("TERM");
                Assert.Equal(0, await w.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([coordinator, worker1, worker2]);
        }
    }

    /// <summary>
    /// The coordinator's dashboard lists the three members with their roles, the 20 shards held by the workers, and a
    /// worker's throughput (updates from the clients of its shards applied per second) above zero.
    /// </summary>
    private async Task DashboardMustListTheClusterAsync(FedActorsProcess coordinator, int w1, int w2)
    {
        var url = await Monitoring.MonitoredRun.WaitForLineAsync(coordinator, Monitoring.MonitoredRun.DashboardLine(), TimeSpan.FromMinutes(2));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string last = "";
        var seen = new List<string>();
        while (!coordinator.HasExited)
        {
            try
            {
                last = await http.GetStringAsync(url + "api/snapshot");
            }
            catch (HttpRequestException)
            {
                break; // the run ended and its server stopped
            }
            using var snapshot = JsonDocument.Parse(last);
            var view = snapshot.RootElement.GetProperty("cluster").GetRawText();
            if (seen.Count == 0 || seen[^1] != view) seen.Add(view);
            if (snapshot.RootElement.GetProperty("cluster") is { ValueKind: JsonValueKind.Array } cluster && cluster.GetArrayLength() == 3)
            {
                var members = cluster.EnumerateArray().ToList();
                var workers = members.Where(m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker")).ToList();
                bool coordinatorListed = members.Any(m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "coordinator"));
                bool bothWorkers = workers.Select(m => m.GetProperty("address").GetString()).Order()
                    .SequenceEqual(new[] { w1, w2 }.Select(p => $"akka.tcp://fedactors@127.0.0.1:{p}").Order());
                int shards = workers.Sum(m => m.GetProperty("shards").GetInt32());
                // A run of a few seconds can end before the shard coordinator moves shards to the worker that joined
                // second, and a worker's rate needs two of its 2-second reports: neither the split nor every worker's
                // rate is asserted, only that a worker's clients are seen sending.
                bool throughput = workers.Any(m => m.GetProperty("shards").GetInt32() > 0
                    && m.GetProperty("updatesPerSecond") is { ValueKind: JsonValueKind.Number } r && r.GetDouble() > 0);
                if (coordinatorListed && bothWorkers && shards == 20 && throughput)
                {
                    output.WriteLine($"dashboard cluster view: {cluster}");
                    return;
                }
            }
            await Task.Delay(500);
        }
        Assert.Fail($"the coordinator's dashboard never listed 3 members, 20 shards on the workers and a worker's throughput; cluster views seen:\n{string.Join("\n", seen)}\nlast snapshot:\n{last}\ncoordinator stderr:\n{FedActorsProcess.Tail(coordinator.Error)}\nstdout:\n{FedActorsProcess.Tail(coordinator.Output)}");
    }

    /// <summary>A coordinator (writing to <paramref name="runDir"/>) and two workers on the reference config, on free ports.</summary>
    private (FedActorsProcess Coordinator, FedActorsProcess Worker1, FedActorsProcess Worker2) StartThree(string dir, string runDir, string[] coordinatorArgs, string[] workerArgs)
    {
        int c = ClusterExperiment.FreePort(), w1 = ClusterExperiment.FreePort(), w2 = ClusterExperiment.FreePort();
        var coordinator = ClusterExperiment.StartNode(dir, reference.Config, "coordinator", c, [c], ["--out", runDir, .. coordinatorArgs]);
        return (coordinator, ClusterExperiment.StartNode(dir, reference.Config, "worker", w1, [c], workerArgs),
            ClusterExperiment.StartNode(dir, reference.Config, "worker", w2, [c], workerArgs));
    }

    /// <summary>Waits for the coordinator to end the run, which must have completed; its summary.</summary>
    private static async Task<JsonElement> CompletedAsync(FedActorsProcess coordinator, string runDir)
    {
        int code = await coordinator.WaitForExitAsync(ClusterExperiment.RunTimeout);
        Assert.True(code == 0, $"the coordinator exited {code}:\n{coordinator.Error}\n{FedActorsProcess.Tail(coordinator.Output)}");
        var summary = RunFiles.Summary(runDir);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        return summary;
    }

    [Fact(DisplayName = "A coordinator and two workers with random-k and 4-bit updates must end with the one-process run's model_sha256 and bytes per update")]
    public async Task Compressed_cluster_run_must_end_with_the_one_process_model()
    {
        // The workers encode, the wire carries the compressed payload, the coordinator decodes with the same (seed, job)
        // draws: the cluster must end where one process does.
        string[] codecs = ["--set", "fedactors.compression.uplink=randk-0.25+q4"];
        using var dir = new TempDir();
        string oneProcess = await ClusterExperiment.OneProcessHashAsync(dir.Path, reference.Config, null, codecs);
        var db = await reference.Postgres.CreateDatabaseAsync();
        var runDir = Path.Combine(dir.Path, "coordinator");
        var (coordinator, worker1, worker2) = StartThree(dir.Path, runDir, [.. ClusterExperiment.Postgres(db), .. codecs], codecs);
        try
        {
            var summary = await CompletedAsync(coordinator, runDir);
            Assert.Equal("randk-0.25+q4", summary.GetProperty("compression").GetString());
            Assert.Equal(oneProcess, summary.GetProperty("model_sha256").GetString());
            Assert.NotEqual(reference.OneProcessHash, oneProcess);
            // logreg on Synthetic: 610 parameters, 153 kept, 4-bit codes in one chunk: every update crossed the wire
            // whole, as the header and this payload.
            long update = WireSize.OfUpdate(new QuantizedPayload(153, 4, 512, [1f], [0f], new byte[77]));
            long bytesUp = summary.GetProperty("bytes_up").GetInt64();
            output.WriteLine($"cluster bytes up {bytesUp:N0}, {update} bytes per update, model {oneProcess[..12]}");
            Assert.Equal(0, bytesUp % update);
            Assert.True(bytesUp / update >= summary.GetProperty("updates_applied").GetInt64(), "every applied update crossed the wire");
            foreach (var w in new[] { worker1, worker2 })
            {
                await w.Signal("TERM");
                Assert.Equal(0, await w.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([coordinator, worker1, worker2]);
        }
    }

    [Fact(DisplayName = "A coordinator and two workers with top-k, error feedback and an 8-bit downlink must end with the one-process run's model_sha256, the residuals in PostgreSQL")]
    public async Task Error_feedback_cluster_run_must_end_with_the_one_process_model()
    {
        // Each job names the client's last taken result; the worker that trains it, whichever holds the client's shard
        // now, reads that residual from PostgreSQL and writes its own before the update leaves. Each node fetches a
        // version's 8-bit broadcast once and decodes it to the bits one process trains from.
        string[] codecs = ["--set", "fedactors.compression.uplink=\"topk-0.1+ef\"", "--set", "fedactors.compression.downlink=q8"];
        using var dir = new TempDir();
        string oneProcess = await ClusterExperiment.OneProcessHashAsync(dir.Path, reference.Config, null, codecs);
        var db = await reference.Postgres.CreateDatabaseAsync();
        string[] shared = [.. ClusterExperiment.Postgres(db), .. codecs];
        var runDir = Path.Combine(dir.Path, "coordinator");
        var (coordinator, worker1, worker2) = StartThree(dir.Path, runDir, shared, shared);
        try
        {
            var summary = await CompletedAsync(coordinator, runDir);
            Assert.Equal("topk-0.1+ef; downlink q8", summary.GetProperty("compression").GetString());
            Assert.Equal(0, summary.GetProperty("updates_rejected").EnumerateObject().Sum(p => p.Value.GetInt64()));
            Assert.Equal(oneProcess, summary.GetProperty("model_sha256").GetString());
            Assert.NotEqual(reference.OneProcessHash, oneProcess);
            await using var connection = new Npgsql.NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var rows = new Npgsql.NpgsqlCommand("SELECT COUNT(*), COUNT(DISTINCT client) FROM client_residuals", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var traffic = Traffic(runDir);
            output.WriteLine($"cluster model {oneProcess[..12]}; residual rows in PostgreSQL: {reader.GetInt64(0)} of {reader.GetInt64(1)} clients; " +
                             $"bytes down {summary.GetProperty("bytes_down").GetInt64():N0} in {traffic.ModelChunks} broadcast chunks and {traffic.Jobs} assignments");
            // logreg's 610 weights as 8-bit codes in two chunks of 512: one 636-byte encoding per version and node, in one chunk.
            Assert.True(traffic.ModelChunks > 0);
            const int encoded = 1 + 4 + 1 + 4 + 2 * (4 + 4) + 610;
            Assert.Equal(traffic.Down, traffic.Jobs * WireSerializer.SizeOf(new ClusterProtocol.TrainAssignment(new JobId(0), 0, 0, new LocalTrainingOptions(), 0))
                + traffic.ModelChunks * WireSerializer.SizeOf(new ClusterProtocol.BroadcastChunk(0, 0, encoded, new byte[encoded]))
                + traffic.Unavailable * WireSerializer.SizeOf(new ClusterProtocol.ModelVersionUnavailable(0)));
            Assert.True(reader.GetInt64(0) > 0, "the workers kept no residual in PostgreSQL");
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([coordinator, worker1, worker2]);
        }
    }

    [Fact(DisplayName = "A worker without PostgreSQL must refuse error feedback, saying why")]
    public async Task A_worker_without_a_shared_store_must_refuse_error_feedback()
    {
        using var dir = new TempDir();
        int port = ClusterExperiment.FreePort();
        using var worker = ClusterExperiment.StartNode(dir.Path, reference.Config, "worker", port, [port], "--set", "fedactors.compression.uplink=\"topk-0.1+ef\"");
        Assert.NotEqual(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("needs fedactors.persistence.provider = postgresql on every node", worker.Error);
    }

    [Fact(DisplayName = "SIGKILL of a worker mid-run: its jobs are sent again and the run ends with the one-process model_sha256")]
    public async Task Killed_worker_must_not_change_the_model()
    {
        using var dir = new TempDir();
        var db = await reference.Postgres.CreateDatabaseAsync();
        int c = ClusterExperiment.FreePort(), w1 = ClusterExperiment.FreePort(), w2 = ClusterExperiment.FreePort();
        var runDir = Path.Combine(dir.Path, "coordinator");
        FedActorsProcess? coordinator = null, worker1 = null, worker2 = null;
        try
        {
            coordinator = ClusterExperiment.StartNode(dir.Path, reference.Config, "coordinator", c, [c], ["--out", runDir, .. ClusterExperiment.Postgres(db)]);
            worker1 = ClusterExperiment.StartNode(dir.Path, reference.Config, "worker", w1, [c]);
            worker2 = ClusterExperiment.StartNode(dir.Path, reference.Config, "worker", w2, [c]);
            await ClusterExperiment.WaitForOutputAsync(coordinator, o => ClusterExperiment.LastStep(o) >= 150, ClusterExperiment.RunTimeout, "step 150");
            // The worker that holds the most client shards dies: a loaded machine may not yet have moved any shard to the
            // worker that joined second, and killing a worker without clients would resend nothing.
            int victim = await BusierWorkerAsync(dir.Path, c, w1, w2);
            long atKill = ClusterExperiment.LastStep(coordinator.Output);
            var clock = Stopwatch.StartNew();
            Assert.Equal(137, await (victim == w1 ? worker1 : worker2).Kill());
            output.WriteLine($"worker {victim} killed at step {atKill}");

            await ClusterExperiment.WaitForOutputAsync(coordinator, o => o.Contains($"member removed: akka.tcp://fedactors@127.0.0.1:{victim}"), TimeSpan.FromSeconds(60), "the killed worker's removal");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"killed worker removed after {clock.Elapsed.TotalSeconds:F1} s"));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the killed worker was removed after {clock.Elapsed.TotalSeconds:F1} s");

            int code = await coordinator.WaitForExitAsync(ClusterExperiment.RunTimeout);
            Assert.True(code == 0, $"the coordinator exited {code}:\n{coordinator.Error}\n{FedActorsProcess.Tail(coordinator.Output)}");
            var summary = RunFiles.Summary(runDir);
            Assert.Equal("completed", summary.GetProperty("status").GetString());
            Assert.Equal(reference.OneProcessHash, summary.GetProperty("model_sha256").GetString());
            var traffic = Traffic(runDir);
            output.WriteLine($"jobs resent: {traffic.Resent}");
            Assert.True(traffic.Resent > 0, "the jobs in flight when the worker died were sent again");
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([coordinator, worker1, worker2]);
        }
    }

    /// <summary>The port of whichever of the two workers holds more client shards, as <c>fedactors status</c> lists them (the second on a tie).</summary>
    private async Task<int> BusierWorkerAsync(string dir, int coordinator, int w1, int w2)
    {
        using var status = FedActorsProcess.Start(dir, ["status", "--node", $"127.0.0.1:{coordinator}"]);
        await status.WaitForExitAsync(TimeSpan.FromSeconds(60));
        int Shards(int port) => Regex.Match(status.Output, $@"127\.0\.0\.1:{port}\s+(\d+) shards") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        output.WriteLine($"shards before the kill: worker {w1} {Shards(w1)}, worker {w2} {Shards(w2)}");
        return Shards(w1) > Shards(w2) ? w1 : w2;
    }

    [Fact(DisplayName = "SIGKILL of the coordinator's node: the singleton moves, recovers from PostgreSQL within 15 s, and the run ends with the one-process model_sha256")]
    public async Task Coordinator_failover_must_not_change_the_model()
    {
        using var dir = new TempDir();
        var db = await reference.Postgres.CreateDatabaseAsync();
        int c1 = ClusterExperiment.FreePort(), c2 = ClusterExperiment.FreePort(), w1 = ClusterExperiment.FreePort(), w2 = ClusterExperiment.FreePort();
        int[] seeds = [c1, c2];
        var run1 = Path.Combine(dir.Path, "coordinator-1");
        var run2 = Path.Combine(dir.Path, "coordinator-2");
        FedActorsProcess? one = null, two = null, worker1 = null, worker2 = null;
        try
        {
            one = ClusterExperiment.StartNode(dir.Path, reference.Config, "coordinator", c1, seeds, ["--out", run1, .. ClusterExperiment.Postgres(db)]);
            await ClusterExperiment.WaitForOutputAsync(one, o => o.Contains("leader: akka.tcp"), StartupTimeout, "a leader");
            two = ClusterExperiment.StartNode(dir.Path, reference.Config, "coordinator", c2, seeds, ["--out", run2, .. ClusterExperiment.Postgres(db)]);
            worker1 = ClusterExperiment.StartNode(dir.Path, reference.Config, "worker", w1, seeds);
            worker2 = ClusterExperiment.StartNode(dir.Path, reference.Config, "worker", w2, seeds);

            // The oldest coordinator-role node hosts the singleton; members moved up together are ordered by address, so either may.
            var clock = Stopwatch.StartNew();
            while (ClusterExperiment.LastStep(one.Output) < 200 && ClusterExperiment.LastStep(two.Output) < 200)
            {
                Assert.False(one.HasExited || two.HasExited, $"a coordinator exited before step 200:\n{one.Error}\n{two.Error}");
                Assert.True(clock.Elapsed < ClusterExperiment.RunTimeout, "no coordinator reached step 200");
                await Task.Delay(20);
            }
            var (active, standby, standbyRun) = ClusterExperiment.LastStep(one.Output) >= 200 ? (one, two, run2) : (two, one, run1);
            Assert.Equal(-1, ClusterExperiment.LastStep(standby.Output)); // the standby has run nothing
            long atKill = ClusterExperiment.LastStep(active.Output);
            clock.Restart();
            Assert.Equal(137, await active.Kill());

            // The next server step: the standby's update ledger gets a row of a step past the one it resumed after
            // (rows are flushed as the updates are applied, before the step is journaled).
            var ledger = Path.Combine(standbyRun, "updates.csv");
            long next = -1;
            await ClusterExperiment.WaitForOutputAsync(standby, _ =>
            {
                if (standby.ResumedAfterStep is not long resumed) return false;
                next = ClusterExperiment.MaxLedgerStep(ledger);
                return next > resumed;
            }, TimeSpan.FromSeconds(60), "a server step after the failover");
            var failover = clock.Elapsed;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"coordinator killed at step {atKill}; the standby resumed after step {standby.ResumedAfterStep} and applied updates of step {next} " +
                $"{failover.TotalSeconds:F2} s after the kill (failover time)"));
            Assert.True(failover <= TimeSpan.FromSeconds(15), $"failover took {failover.TotalSeconds:F1} s");

            int code = await standby.WaitForExitAsync(ClusterExperiment.RunTimeout);
            Assert.True(code == 0, $"the standby coordinator exited {code}:\n{standby.Error}\n{FedActorsProcess.Tail(standby.Output)}");
            var summary = RunFiles.Summary(standbyRun);
            Assert.Equal("completed", summary.GetProperty("status").GetString());
            Assert.Equal(1, summary.GetProperty("resumed").GetInt32());
            Assert.Equal(reference.OneProcessHash, summary.GetProperty("model_sha256").GetString());
            // The run's bytes go on from the journaled step's: the standby's own wire traffic comes on top of them.
            var traffic = Traffic(standbyRun);
            long upBefore = summary.GetProperty("bytes_up").GetInt64() - traffic.Up, downBefore = summary.GetProperty("bytes_down").GetInt64() - traffic.Down;
            output.WriteLine($"bytes up {upBefore:N0} before the failover (journaled) + {traffic.Up:N0} after; down {downBefore:N0} + {traffic.Down:N0}");
            Assert.True(upBefore > 0 && downBefore > 0 && traffic.Up > 0 && traffic.Down > 0);
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([one, two, worker1, worker2]);
        }
    }

    private const string MetricsHeader = "server_step,virtual_seconds,wall_seconds,updates_applied,accuracy,loss,mean_staleness,max_staleness,bytes_up,bytes_down";

    private static (long Up, long Down, long Resent, long Jobs, long ModelChunks, long Unavailable, long UpdateChunks) Traffic(string runDir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "cluster.json")));
        var r = json.RootElement;
        return (r.GetProperty("wire_bytes_up").GetInt64(), r.GetProperty("wire_bytes_down").GetInt64(), r.GetProperty("jobs_resent").GetInt64(),
            r.GetProperty("jobs_sent").GetInt64(), r.GetProperty("model_chunks_sent").GetInt64(), r.GetProperty("versions_unavailable").GetInt64(),
            r.GetProperty("update_chunks_received").GetInt64());
    }
}
