using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using FedActors.Host.Configuration;

namespace FedActors.Host.Runs;

/// <summary>
/// What makes two configurations the same run: every key except those that change neither the decisions
/// nor the numbers (where the data and the journal live, how many trainer slots share the work, how often
/// state is snapshotted, when results become durable). A run resumes only under the same identity.
/// </summary>
public static class RunIdentity
{
    /// <summary>Keys under these sections (cluster network and membership; dashboard and metrics) never identify a run.</summary>
    public static IReadOnlyList<string> FreeSections { get; } = ["fedactors.cluster.", "fedactors.monitoring."];

    /// <summary>Keys that may differ between the sessions of one run.</summary>
    public static IReadOnlySet<string> FreeKeys { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "fedactors.data.dir",
        "fedactors.trainers.slots",
        "fedactors.persistence.durability",
        "fedactors.persistence.snapshot-every-steps",
        "fedactors.persistence.acknowledgement-log",
        "fedactors.compression.residual-memory-mb",
        // Where the journal lives may change (a moved server, a rotated password); a journal without the run is refused anyway.
        "fedactors.persistence.connection-string",
    };

    /// <summary>SHA-256 (hex) over the identifying keys and values.</summary>
    public static string Fingerprint(Config config)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in Identifying(config)) text.Append(key).Append('=').Append(value).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The identifying keys whose values differ, as "key: recorded → now" lines.</summary>
    public static IReadOnlyList<string> Differences(Config recorded, Config now)
    {
        var a = Identifying(recorded);
        var b = Identifying(now);
        return a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k => $"{k}: {a.GetValueOrDefault(k) ?? "(absent)"} → {b.GetValueOrDefault(k) ?? "(absent)"}")
            .ToList();
    }

    private static SortedDictionary<string, string> Identifying(Config config)
    {
        var keys = FedActorsConfig.Flatten(config);
        foreach (var free in FreeKeys) keys.Remove(free);
        // Where a cluster node listens and whom it joins do not change the run: every node of one run differs there.
        foreach (var key in keys.Keys.Where(k => FreeSections.Any(s => k.StartsWith(s, StringComparison.Ordinal))).ToArray()) keys.Remove(key);
        return keys;
    }
}
