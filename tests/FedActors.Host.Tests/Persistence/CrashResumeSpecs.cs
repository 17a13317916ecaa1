using System.Globalization;
using FedActors.Tests.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace FedActors.Host.Tests.Persistence;

/// <summary>The crash tests start several multi-second processes each; they run alone, not beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashResumeCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Crash and resume of real processes";
}

/// <summary>
/// <c>fedactors run</c> as a real process, killed with SIGKILL at random moments while it trains and resumed
/// with the same command, must end exactly where an uninterrupted run ends; a resume that does not match
/// the run's config or state must be refused without touching the run.
/// </summary>
[Collection(CrashResumeCollection.Name)]
public sealed class CrashResumeSpecs(UninterruptedRun uninterrupted, ITestOutputHelper output) : IClassFixture<UninterruptedRun>
{
    private const int Kills = 5;
    private const int SigKillExitCode = 128 + 9;

    [Fact]
    public async Task A_run_killed_repeatedly_on_sqlite_must_resume_to_the_uninterrupted_model_and_metrics()
    {
        var reference = await Reference();
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");

        var crash = await CrashExperiment.RunWithKillsAsync(dir.Path, runDir, CrashExperiment.RunArguments(dir.Path, runDir), Kills, seed: 1, Log);

        AssertResumedLikeUninterrupted(reference, runDir, crash);
        AssertSameLedger(reference, runDir);
        Assert.True(File.Exists(Path.Combine(runDir, "state.db")), "the run journals to state.db in its directory");
    }

    [Fact]
    public async Task A_run_killed_repeatedly_on_postgresql_must_resume_to_the_uninterrupted_model_and_metrics()
    {
        var reference = await Reference();
        await using var server = await PrivatePostgres.StartAsync();
        var connection = await server.CreateDatabaseAsync();
        Log(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {(server.IsPrivate ? "private" : "external")}, started in {server.StartupTime.TotalSeconds:F1} s"));
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");
        var args = CrashExperiment.RunArguments(dir.Path, runDir,
            "fedactors.persistence.provider=postgresql", $"fedactors.persistence.connection-string={connection}");

        var crash = await CrashExperiment.RunWithKillsAsync(dir.Path, runDir, args, Kills, seed: 2, Log);

        AssertResumedLikeUninterrupted(reference, runDir, crash);
        AssertSameLedger(reference, runDir);
        Assert.False(File.Exists(Path.Combine(runDir, "state.db")), "with provider postgresql the run must not journal to state.db");
        Assert.True(await JournalRows(connection) > 0, "the run's events must be in PostgreSQL");
    }

    [Theory]
    // Random-k's positions and the 8-bit rounding draw from (seed, job): a job trained again after a kill encodes to the
    // same bytes, and the journal keeps the updates in their encoded form.
    [InlineData("randk-0.25+q8", 4)]
    // Error feedback: a job trained again continues from the residual the coordinator names (the client's last taken
    // result), read back from client-state.db, and rewrites its own row with the same values.
    [InlineData("topk-0.1+ef", 5)]
    public async Task A_compressed_run_killed_repeatedly_must_resume_to_its_uninterrupted_model_and_bytes(string chain, int seed)
    {
        var codecs = $"fedactors.compression.uplink=\"{chain}\"";
        using var dir = new TempDir();
        var uninterruptedDir = Path.Combine(dir.Path, "uninterrupted");
        var (code, output, error, _) = await CrashExperiment.RunToEndAsync(dir.Path, CrashExperiment.RunArguments(dir.Path, uninterruptedDir, codecs));
        Assert.True(code == 0, $"the uninterrupted run exited {code}:\n{error}\n{FedActorsProcess.Tail(output)}");
        var expected = RunFiles.Summary(uninterruptedDir);
        var runDir = Path.Combine(dir.Path, "run");

        var crash = await CrashExperiment.RunWithKillsAsync(dir.Path, runDir, CrashExperiment.RunArguments(dir.Path, runDir, codecs), kills: 3, seed, Log);

        Assert.True(crash.ExitCode == 0, $"the last session exited {crash.ExitCode}:\n{crash.Err}\n{FedActorsProcess.Tail(crash.Out)}");
        Assert.True(crash.Kills.All(k => k.ExitCode == SigKillExitCode), $"every session but the last must have died of SIGKILL:\n{string.Join('\n', crash.Kills)}");
        var summary = RunFiles.Summary(runDir);
        Assert.Equal(3, summary.GetProperty("resumed").GetInt32());
        Assert.Equal(chain, summary.GetProperty("compression").GetString());
        Assert.Equal(0, summary.GetProperty("updates_rejected").EnumerateObject().Sum(p => p.Value.GetInt64()));
        foreach (var key in new[] { "model_sha256", "bytes_up", "bytes_up_per_update", "updates_applied" })
            Assert.Equal(expected.GetProperty(key).GetRawText(), summary.GetProperty(key).GetRawText());
        Assert.NotEqual((await Reference()).ModelSha256, summary.GetProperty("model_sha256").GetString());
        if (!chain.EndsWith("+ef", StringComparison.Ordinal)) return;
        // The residuals were kept beside the journal, and pruned after snapshots: far fewer rows than updates.
        long rows = await ResidualRows(Path.Combine(runDir, "client-state.db"));
        Log($"{chain}: {rows} residual rows left for {summary.GetProperty("updates_applied").GetInt64()} applied updates");
        Assert.InRange(rows, 1, summary.GetProperty("updates_applied").GetInt64() / 2);
    }

    [Fact]
    public async Task A_dp_run_killed_three_times_must_resume_to_the_same_model_epsilon_and_budget_stop()
    {
        // Adaptive clipping is on: its clip norm moves with every step and must come back from the checkpoint.
        string[] dp = [.. DpArguments(), "fedactors.privacy.adaptive-quantile=0.5", "fedactors.privacy.adaptive-count-stddev=5"];
        using var dir = new TempDir();
        var (uninterruptedDir, expected) = await UninterruptedDpRun(dir, dp);

        var runDir = Path.Combine(dir.Path, "run");
        var crash = await CrashExperiment.RunWithKillsAsync(dir.Path, runDir, CrashExperiment.RunArguments(dir.Path, runDir, dp), kills: 3, seed: 6, Log);

        Assert.True(crash.ExitCode == 0, $"the last session exited {crash.ExitCode}:\n{crash.Err}\n{FedActorsProcess.Tail(crash.Out)}");
        Assert.True(crash.Kills.All(k => k.ExitCode == SigKillExitCode), $"every session but the last must have died of SIGKILL:\n{string.Join('\n', crash.Kills)}");
        var summary = RunFiles.Summary(runDir);
        Assert.Equal(3, summary.GetProperty("resumed").GetInt32());
        foreach (var key in new[] { "status", "model_sha256", "epsilon", "delta", "server_steps", "updates_applied" })
            Assert.Equal(expected.GetProperty(key).GetRawText(), summary.GetProperty(key).GetRawText());
        Assert.Equal(File.ReadAllLines(Path.Combine(uninterruptedDir, "metrics.csv")).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 2))),
            File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 2))));
    }

    [Fact]
    public async Task A_dp_run_with_secure_noise_killed_three_times_must_keep_every_released_evaluation_and_stop_at_the_same_step()
    {
        // Cryptographic noise cannot be drawn again, so the coordinator journals each step before its model leaves:
        // every evaluation a killed session wrote must be in the final metrics.csv unchanged, and the epsilon and
        // budget stop, which follow the participation counts, must be those of an uninterrupted run.
        string[] dp = [.. DpArguments(), "fedactors.privacy.secure-noise=on"];
        using var dir = new TempDir();
        var (_, expected) = await UninterruptedDpRun(dir, dp);

        var runDir = Path.Combine(dir.Path, "run");
        var released = new Dictionary<long, (double Accuracy, double Loss)>();
        void Released(int session)
        {
            foreach (var row in FedActors.Host.Runs.MetricsCsv.Read(Path.Combine(runDir, "metrics.csv")))
                if (released.TryGetValue(row.ServerStep, out var seen)) Assert.Equal(seen, (row.Accuracy, row.Loss));
                else released[row.ServerStep] = (row.Accuracy, row.Loss);
        }
        var crash = await CrashExperiment.RunWithKillsAsync(dir.Path, runDir, CrashExperiment.RunArguments(dir.Path, runDir, dp), kills: 3, seed: 8, Log, Released);

        Assert.True(crash.ExitCode == 0, $"the last session exited {crash.ExitCode}:\n{crash.Err}\n{FedActorsProcess.Tail(crash.Out)}");
        var summary = RunFiles.Summary(runDir);
        Assert.Equal(3, summary.GetProperty("resumed").GetInt32());
        foreach (var key in new[] { "status", "epsilon", "delta", "server_steps" })
            Assert.Equal(expected.GetProperty(key).GetRawText(), summary.GetProperty(key).GetRawText());
        Assert.NotEqual(expected.GetProperty("model_sha256").GetString(), summary.GetProperty("model_sha256").GetString());
        var final = FedActors.Host.Runs.MetricsCsv.Read(Path.Combine(runDir, "metrics.csv")).ToDictionary(r => r.ServerStep, r => (r.Accuracy, r.Loss));
        Assert.True(released.Count >= 3, $"the killed sessions released {released.Count} evaluations");
        foreach (var (step, seen) in released) Assert.Equal(seen, final[step]);
    }

    // z = 5 over 200 clients: the most frequent client contributes to 43 steps by step 1,080 and 45 by step 1,140
    // (diagnostics.csv of the uninterrupted run), so a budget of 44 contributions ends the run between the two, after
    // every kill point (10 % to 80 % of the 1,200 steps).
    private static readonly FedActors.Actors.Privacy.ClientLevelAccounting DpAccounting = new(5.0, Math.Pow(200, -1.1));

    private static string[] DpArguments()
    {
        double target = (DpAccounting.After(44).Epsilon + DpAccounting.After(45).Epsilon) / 2;
        return
        [
            "fedactors.server.weighting=uniform", "fedactors.privacy.mode=central", "fedactors.privacy.clip-norm=0.5",
            "fedactors.privacy.noise-multiplier=5", string.Create(CultureInfo.InvariantCulture, $"fedactors.privacy.target-epsilon={target:R}"),
        ];
    }

    // The uninterrupted run of a DP config: it must stop at its budget after the last kill point, having spent the ε of 44.
    private static async Task<(string Dir, System.Text.Json.JsonElement Summary)> UninterruptedDpRun(TempDir dir, string[] dp)
    {
        var uninterruptedDir = Path.Combine(dir.Path, "uninterrupted");
        var (code, output, error, _) = await CrashExperiment.RunToEndAsync(dir.Path, CrashExperiment.RunArguments(dir.Path, uninterruptedDir, dp));
        Assert.True(code == 0, $"the uninterrupted run exited {code}:\n{error}\n{FedActorsProcess.Tail(output)}");
        var summary = RunFiles.Summary(uninterruptedDir);
        Assert.Equal("budget_exhausted", summary.GetProperty("status").GetString());
        Assert.InRange(summary.GetProperty("server_steps").GetInt64(), CrashExperiment.MaxServerSteps * 8 / 10 + 1, CrashExperiment.MaxServerSteps - 1);
        Assert.Equal(DpAccounting.After(44).Epsilon, summary.GetProperty("epsilon").GetDouble(), 1e-12);
        return (uninterruptedDir, summary);
    }

    private static async Task<long> ResidualRows(string file)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM client_residuals";
        return Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task With_durability_update_no_acknowledged_update_may_be_lost_or_applied_twice_across_kills()
    {
        var reference = await Reference();
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");
        var args = CrashExperiment.RunArguments(dir.Path, runDir,
            "fedactors.persistence.durability=update", "fedactors.persistence.acknowledgement-log=acknowledged.csv");

        var crash = await CrashExperiment.RunWithKillsAsync(dir.Path, runDir, args, Kills, seed: 3, Log);

        AssertResumedLikeUninterrupted(reference, runDir, crash);
        var acknowledged = RunFiles.CompleteLines(Path.Combine(runDir, "acknowledged.csv"));
        Assert.True(acknowledged.Count > 0, "acknowledged.csv is missing or empty");
        var headerLines = acknowledged[0] == "job,client_id" ? 1 : 0;
        var applied = RunFiles.Rows(Path.Combine(runDir, "updates.csv"), CrashExperiment.UpdatesHeader)
            .GroupBy(r => r[1]).ToDictionary(g => g.Key, g => g.ToList());
        var twice = applied.Where(kv => kv.Value.Count > 1).Select(kv => kv.Key).ToList();
        Assert.True(twice.Count == 0, $"jobs applied more than once: {string.Join(", ", twice.Take(10))}");

        // In virtual time a result can arrive, and be acknowledged, long before its job's finish time: those
        // still pending when the last step is taken are never applied, in the uninterrupted run too.
        var appliedUninterrupted = reference.Updates!.Select(r => r[1]).ToHashSet();
        var lost = new List<string>();
        var pendingAtEnd = new HashSet<string>();
        for (var i = headerLines; i < acknowledged.Count; i++)
        {
            var f = acknowledged[i].Split(',');
            Assert.True(f.Length == 2, $"acknowledged.csv line {i + 1} is not job,client_id: '{acknowledged[i]}'");
            var session = i < crash.AcknowledgedLinesBeforeLastSession ? "a killed session" : "the last session";
            if (applied.TryGetValue(f[0], out var rows))
                Assert.True(rows[0][2] == f[1], $"job {f[0]} was acknowledged for client {f[1]} but applied for client {rows[0][2]}");
            else if (appliedUninterrupted.Contains(f[0]))
                lost.Add($"job {f[0]} (client {f[1]}, acknowledged by {session})");
            else
                pendingAtEnd.Add(f[0]);
        }
        Log($"acknowledged.csv: {acknowledged.Count - headerLines} rows ({crash.AcknowledgedLinesBeforeLastSession - headerLines} by killed sessions), " +
            $"{acknowledged.Skip(headerLines).Distinct().Count()} distinct; {pendingAtEnd.Count} still pending when the run ended");
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged results that the uninterrupted run applied are not in updates.csv: {string.Join("; ", lost.Take(10))}");
        // At most concurrency jobs are out and buffer-size - 1 results buffered when the run ends.
        Assert.True(pendingAtEnd.Count < CrashExperiment.Concurrency + CrashExperiment.BufferSize, $"{pendingAtEnd.Count} acknowledged results never applied: {string.Join(", ", pendingAtEnd.Take(30))}");
        AssertSameLedger(reference, runDir);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_must_stop_the_run_gracefully_and_the_same_command_must_resume_it_to_the_uninterrupted_model(string signal)
    {
        var reference = await Reference();
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");
        var args = CrashExperiment.RunArguments(dir.Path, runDir);

        using (var first = FedActorsProcess.Start(dir.Path, args))
        {
            var metrics = Path.Combine(runDir, "metrics.csv");
            while (RunFiles.MaxMetricsStep(metrics) < CrashExperiment.MaxServerSteps / 3)
            {
                Assert.False(first.HasExited, $"the run ended before the signal:\n{first.Error}\n{FedActorsProcess.Tail(first.Output)}");
                await Task.Delay(25);
            }
            await first.Signal(signal);
            var code = await first.WaitForExitAsync(CrashExperiment.SessionTimeout);

            Assert.True(code == 0, $"SIG{signal} must end the run with exit code 0, got {code}:\n{first.Error}");
            var stopped = RunFiles.Summary(runDir);
            Assert.Equal("stopped", stopped.GetProperty("status").GetString());
            Assert.InRange(stopped.GetProperty("server_steps").GetInt32(), 1, CrashExperiment.MaxServerSteps - 1);
            Assert.Contains($"resume it with: ./fedactors run --out {runDir}", first.Output);
        }

        var resumed = await CrashExperiment.RunToEndAsync(dir.Path, args);

        Assert.True(resumed.Code == 0, $"the resumed run exited {resumed.Code}:\n{resumed.Err}");
        var summary = RunFiles.Summary(runDir);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(1, summary.GetProperty("resumed").GetInt32());
        Assert.Equal(reference.ModelSha256, summary.GetProperty("model_sha256").GetString());
        var rows = RunFiles.Rows(Path.Combine(runDir, "metrics.csv"), CrashExperiment.MetricsHeader);
        Assert.Equal(reference.Metrics.Select(WithoutWallSeconds), rows.Select(WithoutWallSeconds));
        AssertSameLedger(reference, runDir);
    }

    [Fact]
    public async Task A_resume_with_another_config_or_a_foreign_state_db_must_be_refused_and_change_nothing()
    {
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");
        // Long enough that the first session is still training when it is killed (after two evaluations) however
        // fast the trainers are; the resumes below are refused before they train.
        const int steps = 1500;
        var shorter = $"fedactors.run.max-server-steps={steps}";
        var args = CrashExperiment.RunArguments(dir.Path, runDir, shorter);
        using (var first = FedActorsProcess.Start(dir.Path, args))
        {
            var metrics = Path.Combine(runDir, "metrics.csv");
            while (RunFiles.MaxMetricsStep(metrics) < 2 * CrashExperiment.EvalEverySteps && !first.HasExited && first.Age < CrashExperiment.SessionTimeout)
                await Task.Delay(25);
            Assert.False(first.HasExited, $"the run ended before it could be killed:\n{first.Error}");
            Assert.Equal(SigKillExitCode, await first.Kill());
        }
        var killed = RunFiles.Snapshot(runDir);
        Assert.Contains("state.db", killed.Keys);

        // Another learning rate.
        var other = await CrashExperiment.RunToEndAsync(dir.Path, CrashExperiment.RunArguments(dir.Path, runDir, shorter, "fedactors.client.lr=0.02"));
        Log($"other config: exit {other.Code}: {other.Err.Trim()}");
        Assert.True(other.Code == 1, $"a resume with another lr exited {other.Code}:\n{other.Err}\n{FedActorsProcess.Tail(other.Out)}");
        Assert.Contains("fedactors.client.lr", other.Err);
        AssertClearMessage(other.Err);
        Assert.Equal("", RunFiles.Differences(killed, RunFiles.Snapshot(runDir)));

        // state.db overwritten with garbage, a valid SQLite database that is not a run's, and another run's.
        var garbage = new byte[64 * 1024];
        new Random(4).NextBytes(garbage);
        foreach (var (name, write) in new (string, Action<string>)[]
        {
            ("garbage", path => File.WriteAllBytes(path, garbage)),
            ("foreign", WriteForeignSqlite),
            // A FedActors state.db, but another run's: the journal holds nothing under this run's id.
            ("another run's", path => File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "run.id"), "run-another\n")),
        })
        {
            var copy = Path.Combine(dir.Path, name.Replace(' ', '-').Replace("'", ""));
            CopyRun(runDir, copy, write);
            var before = RunFiles.Snapshot(copy);
            var refused = await CrashExperiment.RunToEndAsync(dir.Path, CrashExperiment.RunArguments(dir.Path, copy, shorter));
            Log($"{name} state.db: exit {refused.Code}: {refused.Err.Trim()}");
            Assert.True(refused.Code == 1, $"a resume on a {name} state.db exited {refused.Code}:\n{refused.Err}\n{FedActorsProcess.Tail(refused.Out)}");
            Assert.Contains("state.db", refused.Err);
            AssertClearMessage(refused.Err);
            Assert.Equal("", RunFiles.Differences(before, RunFiles.Snapshot(copy)));
        }

        // The refusals did no harm: the run resumes with its own config.
        var resumed = await CrashExperiment.RunToEndAsync(dir.Path, args);
        Assert.True(resumed.Code == 0, $"the resume with the run's own config exited {resumed.Code}:\n{resumed.Err}\n{FedActorsProcess.Tail(resumed.Out)}");
        var summary = RunFiles.Summary(runDir);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(1, summary.GetProperty("resumed").GetInt32());
        Assert.Equal(steps, summary.GetProperty("server_steps").GetInt32());
    }

    private async Task<UninterruptedRun.Reference> Reference()
    {
        var reference = await uninterrupted.GetAsync();
        Log(string.Create(CultureInfo.InvariantCulture,
            $"uninterrupted: {reference.Metrics.Count} metrics rows, model {reference.ModelSha256[..12]}, {reference.Wall.TotalSeconds:F1} s"));
        return reference;
    }

    private void AssertResumedLikeUninterrupted(UninterruptedRun.Reference reference, string runDir, CrashRun crash)
    {
        var kills = string.Join('\n', crash.Kills);
        Assert.True(crash.ExitCode == 0, $"the last session exited {crash.ExitCode}:\n{crash.Err}\n{FedActorsProcess.Tail(crash.Out)}\n{kills}");
        Assert.True(crash.Kills.All(k => k.ExitCode == SigKillExitCode), $"every session but the last must have died of SIGKILL:\n{kills}");

        var summary = RunFiles.Summary(runDir);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(Kills, summary.GetProperty("resumed").GetInt32());
        Assert.Equal(CrashExperiment.MaxServerSteps, summary.GetProperty("server_steps").GetInt32());
        Assert.Equal(reference.ModelSha256, summary.GetProperty("model_sha256").GetString());

        // Every column but wall_seconds is a function of the deterministic run.
        var metrics = RunFiles.Rows(Path.Combine(runDir, "metrics.csv"), CrashExperiment.MetricsHeader);
        Assert.Equal(Steps(reference.Metrics), Steps(metrics));
        for (var i = 0; i < metrics.Count; i++)
            Assert.Equal(WithoutWallSeconds(reference.Metrics[i]), WithoutWallSeconds(metrics[i]));

    }

    private static void AssertSameLedger(UninterruptedRun.Reference reference, string runDir)
    {
        Assert.True(reference.Updates is not null, "the uninterrupted run wrote no updates.csv");
        var updates = RunFiles.Rows(Path.Combine(runDir, "updates.csv"), CrashExperiment.UpdatesHeader);
        var expected = ByStep(reference.Updates);
        var actual = ByStep(updates);
        var wrong = expected.Keys.Union(actual.Keys).Order()
            .Where(s => expected.GetValueOrDefault(s, "") != actual.GetValueOrDefault(s, ""))
            .Select(s => string.Create(CultureInfo.InvariantCulture,
                $"step {s}: {Count(actual.GetValueOrDefault(s))} rows, uninterrupted {Count(expected.GetValueOrDefault(s))}"))
            .ToList();
        Assert.True(wrong.Count == 0,
            $"updates.csv differs from the uninterrupted run's at {wrong.Count} server steps ({updates.Count} rows, uninterrupted {reference.Updates.Count}):\n" +
            string.Join('\n', wrong.Take(20)));
    }

    private static SortedDictionary<long, string> ByStep(IEnumerable<string[]> rows) =>
        new(rows.GroupBy(r => long.Parse(r[0], CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => string.Join('\n', g.Select(r => string.Join(',', r)))));

    private static int Count(string? rows) => string.IsNullOrEmpty(rows) ? 0 : rows.Split('\n').Length;

    private static string Steps(IEnumerable<string[]> rows) => string.Join(' ', rows.Select(r => r[0]));

    private static string WithoutWallSeconds(string[] row) => string.Join(',', row.Where((_, i) => i != 2));

    private static void AssertClearMessage(string stderr)
    {
        Assert.False(string.IsNullOrWhiteSpace(stderr), "a refusal must say why");
        Assert.DoesNotContain("   at ", stderr);
    }

    private static void CopyRun(string from, string to, Action<string> writeStateDb)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            // The journal's side files belong to the real database.
            if (Path.GetFileName(file).StartsWith("state.db", StringComparison.Ordinal)) continue;
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        writeStateDb(Path.Combine(to, "state.db"));
    }

    private static void WriteForeignSqlite(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('not a fedactors run');";
        command.ExecuteNonQuery();
    }

    private static async Task<long> JournalRows(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand(
            "SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection);
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
            while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        long rows = 0;
        foreach (var name in names)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {name}", connection);
            rows += (long)(await count.ExecuteScalarAsync())!;
        }
        return rows;
    }

    private void Log(string line) => output.WriteLine(line);
}
