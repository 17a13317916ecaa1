using FedActors.Actors.Coordination;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Host.Runs;

namespace FedActors.Host.Tests;

public class RunFilesSpecs
{
    private static readonly MetricsRow First = new(10, 12.5, 1.25, 100, 0.5, 1.5, 2.25, 5, 1000, 2000);
    private static readonly MetricsRow Second = new(20, 25, 2.5, 200, 0.75, 0.8, null, null, 3000, 4000);

    [Fact]
    public async Task Metrics_csv_must_have_the_design_header_and_one_invariant_row_per_append()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.csv");
        await using (var csv = MetricsCsv.Open(path))
        {
            await csv.AppendAsync(First, CancellationToken.None);
            // Flushed per row: readable while the writer is still open, as after a crash.
            Assert.Equal(2, File.ReadAllLines(path).Length);
            await csv.AppendAsync(Second, CancellationToken.None);
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal([
            "server_step,virtual_seconds,wall_seconds,updates_applied,accuracy,loss,mean_staleness,max_staleness,bytes_up,bytes_down",
            "10,12.5,1.25,100,0.5,1.5,2.25,5,1000,2000",
            "20,25,2.5,200,0.75,0.8,,,3000,4000",
        ], lines);
        Assert.Equal([First, Second], MetricsCsv.Read(path));
    }

    [Fact]
    public async Task Reopening_metrics_must_append_and_drop_a_row_cut_short_by_a_crash()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.csv");
        await using (var csv = MetricsCsv.Open(path)) await csv.AppendAsync(First, CancellationToken.None);
        await File.AppendAllTextAsync(path, "20,25,2.");

        Assert.Equal([First], MetricsCsv.Read(path));
        await using (var csv = MetricsCsv.Open(path)) await csv.AppendAsync(Second, CancellationToken.None);

        Assert.Equal([First, Second], MetricsCsv.Read(path));
    }

    [Fact(DisplayName = "A backdoor run's metrics.csv must add a backdoor_accuracy column, read back; and a plain file must not be appended to as one")]
    public async Task Backdoor_metrics_must_carry_the_backdoor_accuracy()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.csv");
        await using (var csv = MetricsCsv.Open(path, MetricsColumns.Backdoor))
        {
            await csv.AppendAsync(First with { BackdoorAccuracy = 0.995 }, CancellationToken.None);
            await csv.AppendAsync(Second, CancellationToken.None);
        }

        Assert.Equal([
            MetricsCsv.Header + ",backdoor_accuracy",
            "10,12.5,1.25,100,0.5,1.5,2.25,5,1000,2000,0.995",
            "20,25,2.5,200,0.75,0.8,,,3000,4000,",
        ], File.ReadAllLines(path));
        Assert.Equal([First with { BackdoorAccuracy = 0.995 }, Second], MetricsCsv.Read(path));

        var plain = dir.File("plain.csv");
        await using (var csv = MetricsCsv.Open(plain)) await csv.AppendAsync(First, CancellationToken.None);
        Assert.Throws<FedActorsException>(() => MetricsCsv.Open(plain, MetricsColumns.Backdoor).Dispose());
    }

    [Fact(DisplayName = "An attacked run's metrics.csv must add updates filtered, malicious accepted and filtered (before a backdoor's accuracy), read back")]
    public async Task Attack_metrics_must_carry_the_defense_counts()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.csv");
        var first = First with { Defense = new DefenseCounts(Filtered: 40, MaliciousTaken: 12, MaliciousFiltered: 9), BackdoorAccuracy = 0.5 };
        await using (var csv = MetricsCsv.Open(path, MetricsColumns.Attack | MetricsColumns.Backdoor))
        {
            await csv.AppendAsync(first, CancellationToken.None);
            await csv.AppendAsync(Second, CancellationToken.None);
        }

        Assert.Equal([
            MetricsCsv.Header + ",updates_filtered,malicious_accepted,malicious_filtered,backdoor_accuracy",
            "10,12.5,1.25,100,0.5,1.5,2.25,5,1000,2000,40,3,9,0.5",
            "20,25,2.5,200,0.75,0.8,,,3000,4000,,,,",
        ], File.ReadAllLines(path));
        Assert.Equal([first, Second], MetricsCsv.Read(path));
        Assert.Throws<FedActorsException>(() => MetricsCsv.Open(path, MetricsColumns.Backdoor).Dispose());
    }

    [Fact]
    public void Metrics_must_refuse_to_append_to_a_foreign_file()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.csv", "a,b\n1,2\n");
        Assert.Throws<FedActorsException>(() => MetricsCsv.Open(path).Dispose());
    }

    [Fact]
    public void Accuracy_plot_must_write_a_png()
    {
        using var dir = new TempDir();
        var path = dir.File("accuracy.png");
        var rows = Enumerable.Range(1, 30)
            .Select(i => new MetricsRow(i * 10, i * 3.0, i * 0.5, i * 100, 1 - 1.0 / (i + 1), 1.0 / i, 1, 2, i, i))
            .ToList();

        AccuracyPlot.Save(path, rows, "fedbuff fashion-mnist");

        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"PNG only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.False(File.Exists(path + ".tmp.png"));
    }

    [Fact]
    public void Accuracy_plot_must_render_without_rows()
    {
        using var dir = new TempDir();
        var path = dir.File("empty.png");
        AccuracyPlot.Save(path, [], "nothing yet");
        Assert.True(new FileInfo(path).Length > 0);
    }

    [Fact]
    public async Task Run_directory_must_default_to_a_timestamp_under_runs_and_write_run_conf()
    {
        using var dir = new TempDir();
        var ctx = Context(dir.Path, new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));

        var first = RunDirectory.Open(null, ctx);
        await first.WriteRunConfAsync(FedActorsConfig.Load(null, ["fedactors.client.lr=0.5"]), CancellationToken.None);
        var second = RunDirectory.Open(null, ctx);

        Assert.Equal(Path.Combine(dir.Path, "runs", "20250304-050607"), first.FullPath);
        Assert.Equal(first.FullPath + "-2", second.FullPath);
        Assert.False(first.HeldRun);
        var reloaded = FedActorsConfig.Load(first.RunConfPath, Array.Empty<string>());
        Assert.Equal(0.5, reloaded.Settings.Run.Client.LearningRate);
    }

    [Fact]
    public async Task Run_conf_must_leave_out_passwords_and_say_how_a_resume_gets_them_back()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Open("r", Context(dir.Path, DateTimeOffset.UnixEpoch));
        const string connection = "Host=db.example;Database=fl;Username=fedactors;Password=s3cret-db";
        var config = FedActorsConfig.Load(null, [
            "fedactors.persistence.provider=postgresql",
            $"fedactors.persistence.connection-string=\"{connection}\"",
            "fedactors.cluster.tls.certificate-password=s3cret-cert",
        ]);

        await run.WriteRunConfAsync(config, CancellationToken.None);

        var text = File.ReadAllText(run.RunConfPath);
        Assert.DoesNotContain("s3cret", text);
        Assert.Contains("# Not written here: the password in fedactors.persistence.connection-string: to resume, set PGPASSWORD", text);
        Assert.Contains("# Not written here: fedactors.cluster.tls.certificate-password", text);
        var recorded = FedActorsConfig.Load(run.RunConfPath, Array.Empty<string>());
        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(recorded.Settings.Persistence.ConnectionString);
        Assert.Equal(("db.example", "fl", "fedactors", (string?)null), (npgsql.Host, npgsql.Database, npgsql.Username, npgsql.Password));
        Assert.Equal("", recorded.Settings.Cluster.Tls.CertificatePassword);
        // The secrets given again on resume make the same run.
        var resumed = FedActorsConfig.Load(run.RunConfPath, [
            $"fedactors.persistence.connection-string=\"{connection}\"", "fedactors.cluster.tls.certificate-password=s3cret-cert"]);
        Assert.Empty(RunIdentity.Differences(recorded.Hocon, resumed.Hocon));
        Assert.Equal(RunIdentity.Fingerprint(config.Hocon), RunIdentity.Fingerprint(resumed.Hocon));
    }

    [Fact]
    public async Task Run_conf_without_secrets_must_hold_the_config_as_given()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Open("r", Context(dir.Path, DateTimeOffset.UnixEpoch));
        var config = FedActorsConfig.Load(null, ["fedactors.persistence.connection-string=\"Data Source=elsewhere.db\""]);

        await run.WriteRunConfAsync(config, CancellationToken.None);

        Assert.DoesNotContain("Not written here", File.ReadAllText(run.RunConfPath));
        Assert.Equal(FedActorsConfig.Flatten(config.Hocon), FedActorsConfig.Flatten(FedActorsConfig.Load(run.RunConfPath, Array.Empty<string>()).Hocon));
    }

    [Fact]
    public async Task Run_directory_given_with_out_must_be_relative_to_the_working_directory_and_report_a_previous_run()
    {
        using var dir = new TempDir();
        var ctx = Context(dir.Path, DateTimeOffset.UnixEpoch);
        var run = RunDirectory.Open("out/r1", ctx);
        await run.WriteRunConfAsync(FedActorsConfig.Load(null, Array.Empty<string>()), CancellationToken.None);

        var again = RunDirectory.Open("out/r1", ctx);

        Assert.Equal(Path.Combine(dir.Path, "out", "r1"), run.FullPath);
        Assert.True(again.HeldRun);
    }

    [Fact]
    public void Run_directory_that_cannot_be_created_must_be_a_user_error()
    {
        using var dir = new TempDir();
        dir.File("a-file", "x");
        var e = Assert.Throws<FedActorsException>(() => RunDirectory.Open("a-file/run", Context(dir.Path, DateTimeOffset.UnixEpoch)));
        Assert.Contains("cannot create the run directory", e.Message);
    }

    [Fact]
    public void A_run_directory_held_by_one_run_must_be_refused_to_a_second_until_the_first_lets_go()
    {
        using var dir = new TempDir();
        var ctx = Context(dir.Path, DateTimeOffset.UnixEpoch);
        var path = Path.Combine(dir.Path, "r");

        using (var first = RunDirectory.Open(path, ctx, exclusive: true))
        {
            var refused = Assert.Throws<FedActorsException>(() => RunDirectory.Open(path, ctx, exclusive: true));
            Assert.Contains("in use by another fedactors process", refused.Message);
            Assert.Contains("run.lock", refused.Message);
            // Reading a run (e.g. a report) needs no lock.
            using var reader = RunDirectory.Open(path, ctx);
        }

        using var second = RunDirectory.Open(path, ctx, exclusive: true);
        Assert.Equal(path, second.FullPath);
    }

    [Fact]
    public async Task A_second_run_command_on_a_directory_in_use_must_exit_1_and_touch_nothing()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "busy");
        using var holder = RunDirectory.Open(path, Context(dir.Path, DateTimeOffset.UnixEpoch), exclusive: true);
        var before = Directory.GetFiles(path).Order().ToArray();

        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "run", "--out", "busy", "--set", "fedactors.data.dataset=synthetic");

        Assert.Equal(1, code);
        Assert.Contains("in use by another fedactors process", err);
        Assert.Equal(before, Directory.GetFiles(path).Order().ToArray());
    }

    private static CommandContext Context(string cwd, DateTimeOffset now) =>
        new(TextWriter.Null, TextWriter.Null, cwd, IsInteractive: false, new FixedTime(now));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
