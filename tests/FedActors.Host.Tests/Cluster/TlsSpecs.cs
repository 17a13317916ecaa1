using System.Diagnostics;
using FedActors.Host.Tests.Persistence;
using Xunit.Abstractions;

namespace FedActors.Host.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class TlsSpecs(ITestOutputHelper output)
{
    [Fact(DisplayName = "With TLS on, a node with a certificate of the cluster's CA joins and a node whose certificate another CA signed cannot")]
    public async Task Node_with_an_invalid_certificate_must_not_join()
    {
        using var dir = new TempDir();
        var config = ClusterExperiment.WriteConfig(dir.Path, 600);
        var certs = Path.Combine(dir.Path, "certs");
        var rogue = Path.Combine(dir.Path, "rogue");
        await MakeCertsAsync(certs, "seed", "member");
        await MakeCertsAsync(rogue, "intruder"); // its own CA: a well-formed certificate the cluster never issued

        int seed = ClusterExperiment.FreePort(), member = ClusterExperiment.FreePort(), intruder = ClusterExperiment.FreePort();
        FedActorsProcess? a = null, b = null, x = null;
        try
        {
            a = ClusterExperiment.StartNode(dir.Path, config, "worker", seed, [], Tls(certs, "seed", certs));
            var seedAddress = $"akka.ssl.tcp://fedactors@127.0.0.1:{seed}";
            await ClusterExperiment.WaitForOutputAsync(a, o => o.Contains($"member up: {seedAddress}"), TimeSpan.FromSeconds(60), "the seed up");
            b = ClusterExperiment.StartNode(dir.Path, config, "worker", member, [seed], Tls(certs, "member", certs));
            x = ClusterExperiment.StartNode(dir.Path, config, "worker", intruder, [seed], Tls(rogue, "intruder", rogue));

            await ClusterExperiment.WaitForOutputAsync(a, o => o.Contains($"member up: akka.ssl.tcp://fedactors@127.0.0.1:{member}"), TimeSpan.FromSeconds(60), "the member up");
            // The member needed well under this; give the intruder as long again before judging.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(15) && !x.HasExited) await Task.Delay(100);
            output.WriteLine(a.Output);
            output.WriteLine("intruder:\n" + x.Output);
            Assert.DoesNotContain($"127.0.0.1:{intruder}", a.Output);
            Assert.DoesNotContain($"member up: akka.ssl.tcp://fedactors@127.0.0.1:{intruder}", x.Output);
        }
        finally
        {
            await ClusterExperiment.StopAllAsync([a, b, x]);
        }
    }

    private static string[] Tls(string dir, string node, string caDir) =>
    [
        "--set", "fedactors.cluster.min-workers=1",
        "--set", "fedactors.cluster.tls.enabled=on",
        "--set", $"fedactors.cluster.tls.certificate-path={Actors.Configuration.HoconString.Quote(Path.Combine(dir, node + ".p12"))}",
        "--set", "fedactors.cluster.tls.certificate-password=fedactors",
        "--set", $"fedactors.cluster.tls.ca-certificate-path={Actors.Configuration.HoconString.Quote(Path.Combine(caDir, "ca.pem"))}",
    ];

    private static async Task MakeCertsAsync(string outDir, params string[] nodes)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "make-certs.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(outDir);
        foreach (var n in nodes) start.ArgumentList.Add(n);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"make-certs.sh exited {process.ExitCode}: {await stderr}{await stdout}");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "scripts", "make-certs.sh"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("scripts/make-certs.sh not found above " + AppContext.BaseDirectory);
    }
}
