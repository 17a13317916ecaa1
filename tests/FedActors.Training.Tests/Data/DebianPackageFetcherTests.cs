using FedActors.Training.Data;

namespace FedActors.Training.Tests.Data;

/// <summary>
/// The apt step of the acquisition chain against stand-ins for apt-get and dpkg-deb (shell scripts on a PATH of the
/// test's own) that behave as on a machine whose package lists were never updated: the package is unknown until
/// package lists are updated, and here only lists the fetcher keeps itself can be.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DebianPackageFetcherTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>Writes the fake apt-get and dpkg-deb into a bin directory; returns it and the call log.</summary>
    private (string Bin, string Log) FakeApt(bool updateFails = false)
    {
        string bin = Directory.CreateDirectory(_tmp.Sub("bin")).FullName;
        string log = _tmp.Sub("apt.log");
        string payload = IdxFiles.WriteTiny(_tmp.Sub("payload"));
        // apt-get: "download" finds the package only with -o Dir::State::Lists=DIR naming lists an "update" filled.
        File.WriteAllText(Path.Combine(bin, "apt-get"), $$"""
            #!/bin/sh
            echo "$*" >> '{{log}}'
            lists=""
            for a in "$@"; do case "$a" in Dir::State::Lists=*) lists="${a#Dir::State::Lists=}";; esac; done
            for cmd in "$@"; do :; done
            case "$*" in
              *" update"|update) {{(updateFails ? "echo 'E: Could not resolve deb.debian.org' >&2; exit 100" : "[ -n \"$lists\" ] || exit 1; touch \"$lists/Packages\"; exit 0")}} ;;
              *download*)
                if [ -n "$lists" ] && [ -f "$lists/Packages" ]; then cp '{{payload}}'/* . && touch dataset-tiny_1_all.deb; exit 0; fi
                echo "E: Unable to locate package $cmd" >&2; exit 100 ;;
            esac
            exit 2
            """.Replace("\r", ""));
        // dpkg-deb -x DEB ROOT: unpacks the files the fake download left beside the .deb into ROOT/usr/share/datasets/tiny.
        File.WriteAllText(Path.Combine(bin, "dpkg-deb"), """
            #!/bin/sh
            dir=$(dirname "$2")
            mkdir -p "$3/usr/share/datasets/tiny" && cp "$dir"/*.gz "$3/usr/share/datasets/tiny/"
            """.Replace("\r", ""));
        foreach (var tool in new[] { "apt-get", "dpkg-deb" })
            File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (bin, log);
    }

    private DatasetAcquisitionOptions Options(string bin, List<string> lines) => new()
    {
        DatasetName = "tiny",
        Spec = IdxFiles.TinySpec(null) with { DebianPackage = "dataset-tiny" },
        CacheDir = _tmp.Sub("cache"),
        SystemDatasetsRoot = _tmp.Sub("system"),
        GetEnvironmentVariable = name => name == "PATH" ? $"{bin}:/usr/bin:/bin" : null,
        AllowDownload = false,
        AllowApt = true,
        Log = lines.Add,
    };

    [Fact]
    public async Task Never_updated_package_lists_must_be_updated_into_lists_of_its_own_and_the_package_fetched_with_them()
    {
        var (bin, log) = FakeApt();
        var lines = new List<string>();

        string dir = await DatasetAcquisition.LocateAsync(Options(bin, lines));

        Assert.Equal(_tmp.Sub("cache/tiny"), dir);
        var calls = File.ReadAllLines(log);
        Assert.Equal(3, calls.Length);
        Assert.Equal("download dataset-tiny", calls[0]);
        Assert.Matches(@"^-o Dir::State::Lists=\S+/lists -o Dir::Cache=\S+/cache( -o APT::Sandbox::User=root)? update$", calls[1]);
        Assert.Matches(@"^-o Dir::State::Lists=\S+/lists -o Dir::Cache=\S+/cache( -o APT::Sandbox::User=root)? download dataset-tiny$", calls[2]);
        Assert.Contains(lines, l => l.Contains("Unable to locate package") && l.Contains("retrying with package lists of its own"));
        // The lists were temporary: nothing of them stays behind.
        string lists = calls[1].Split(' ')[1]["Dir::State::Lists=".Length..];
        Assert.False(Directory.Exists(lists), $"{lists} was left behind");
    }

    [Fact]
    public async Task An_update_that_fails_must_be_reported_with_apt_s_own_words()
    {
        var (bin, _) = FakeApt(updateFails: true);

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(Options(bin, [])));

        Assert.Contains("Unable to locate package", e.Message);
        Assert.Contains("exited with 100: E: Could not resolve deb.debian.org", e.Message);
    }
}
