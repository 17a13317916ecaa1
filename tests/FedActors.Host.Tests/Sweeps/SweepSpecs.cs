using System.Globalization;
using FedActors.Host.Cli;
using FedActors.Host.Commands;
using FedActors.Host.Runs;

namespace FedActors.Host.Tests.Sweeps;

/// <summary><c>fedactors sweep</c>: its plan, and whole sweeps of short Synthetic runs.</summary>
public sealed class SweepSpecs
{
    [Fact(DisplayName = "Two --vary keys must give every combination, the first key varying slowest, each in a directory of its own")]
    public void Plans_must_combine_the_values()
    {
        var variants = SweepPlan.Parse(["fedactors.compression.uplink=none,topk-0.1+q8", "fedactors.client.lr=0.01,0.1"]);

        Assert.Equal(["none_0.01", "none_0.1", "topk-0.1+q8_0.01", "topk-0.1+q8_0.1"], variants.Select(v => v.Name));
        Assert.Equal(["--set", "fedactors.compression.uplink=topk-0.1+q8", "--set", "fedactors.client.lr=0.1"], variants[3].SetArguments);
        Assert.Equal("topk-0.1+q8, 0.1", variants[3].Label);
    }

    [Fact(DisplayName = "Values with commas inside brackets or quotes must stay whole")]
    public void Lists_must_stay_whole()
    {
        var variants = SweepPlan.Parse(["fedactors.client.transforms=[],[a, b],\"x,y\""]);

        Assert.Equal(["[]", "[a, b]", "\"x,y\""], variants.Select(v => v.Settings[0].Value));
        Assert.Equal(["value", "a--b", "x-y"], variants.Select(v => v.Name));
    }

    [Theory(DisplayName = "A --vary that is not KEY=V1,V2,... must be refused with a message that names it")]
    [InlineData("fedactors.client.lr", "expected KEY=V1,V2,...")]
    [InlineData("fedactors.client.lr=0.1,,0.2", "every value must be non-empty")]
    [InlineData("fedactors.client.lr=0.1,0.1", "a value is given twice")]
    [InlineData("k=a b,a-b", "two variants would share the directory 'a-b'")]
    public void Bad_varies_must_be_refused(string vary, string message)
    {
        var e = Assert.Throws<UsageException>(() => SweepPlan.Parse([vary]));
        Assert.Contains(message, e.Message);
    }

    [Fact(DisplayName = "A compression sweep must run each codec, tabulate its exact bytes per update, plot them, and continue rather than redo")]
    public async Task A_sweep_must_run_tabulate_and_continue()
    {
        using var dir = new TempDir();
        string[] args =
        [
            "sweep", "--config", Path.Combine(RepoRoot(), "config", "synthetic-fedbuff.conf"), "--set", "fedactors.run.max-server-steps=60",
            "--set", "fedactors.population.clients=100", "--set", "fedactors.persistence.provider=memory",
            "--vary", "fedactors.compression.uplink=none,q8,randk-0.25+fp16", "--out", "sweep", "--plain",
        ];

        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, args);

        Assert.True(code == 0, err + output);
        var csv = File.ReadAllLines(Path.Combine(dir.Path, "sweep", SweepCommand.TableFile));
        Assert.Equal(SweepTable.CsvHeader, csv[0]);
        var rows = csv[1..].Select(l => l.Split(',')).ToList();
        Assert.Equal(["none", "q8", "randk-0.25+fp16"], rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal("completed", r[1]));
        // logreg on Synthetic: 610 parameters. Header 60, then the payload: dense 5 + 4·610; q8 in two chunks of 512:
        // 10 + 2·8 + 610; random-k keeps 153 values as fp16: 5 + 2·153.
        Assert.Equal([2505.0, 696.0, 371.0], rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)));
        Assert.All(rows, r => Assert.Equal("", r[9])); // no backdoor accuracy without a backdoor
        Assert.All(rows, r => Assert.Matches("^[0-9a-f]{64}$", r[12]));
        Assert.Equal(3, rows.Select(r => r[12]).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(["", "", "0"], r[13..16])); // nobody attacks, the mean filters nothing
        Assert.All(rows, r => Assert.Equal("", r[16])); // no ε without differential privacy
        var png = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "sweep", SweepCommand.PlotFile));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Contains("q8", output);

        // The same sweep again keeps what is done: every variant says so, and the table is the same.
        var (again, output2, err2) = await CommandRunner.RunAsync(dir.Path, args);
        Assert.True(again == 0, err2 + output2);
        Assert.Equal(3, output2.Split('\n').Count(l => l.Contains("holds a completed run", StringComparison.Ordinal)));
        Assert.Equal(csv, File.ReadAllLines(Path.Combine(dir.Path, "sweep", SweepCommand.TableFile)));
    }

    [Fact(DisplayName = "A variant whose value is refused must fail alone: the others run, the table says which is missing, the exit code is 1")]
    public async Task A_bad_variant_must_fail_alone()
    {
        using var dir = new TempDir();
        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "sweep", "--config", Path.Combine(RepoRoot(), "config", "synthetic-fedbuff.conf"),
            "--set", "fedactors.run.max-server-steps=20", "--set", "fedactors.population.clients=50", "--set", "fedactors.persistence.provider=memory",
            "--vary", "fedactors.compression.uplink=q12,fp16", "--out", "sweep", "--plain");

        Assert.Equal(1, code);
        Assert.Contains("unknown codec 'q12'", err);
        var csv = File.ReadAllLines(Path.Combine(dir.Path, "sweep", SweepCommand.TableFile));
        Assert.StartsWith("q12,missing,", csv[1]);
        Assert.StartsWith("fp16,completed,", csv[2]);
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "config", "reference.conf"))) d = d.Parent;
        return d!.FullName;
    }
}
