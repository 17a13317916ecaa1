using System.Globalization;

namespace FedActors.Host.Bench;

/// <summary>The process's memory as the benchmarks measure it: the managed heap after a full collection, and RSS.</summary>
public static class ProcessMemory
{
    /// <summary>Bytes of live managed objects, after a full blocking collection (finalizers run, then collected again).</summary>
    public static long ManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Resident set size from <c>/proc/self/status</c>; null where there is no such file.</summary>
    public static long? RssBytes()
    {
        const string status = "/proc/self/status";
        return File.Exists(status) ? ParseVmRss(File.ReadAllText(status)) : null;
    }

    /// <summary>
    /// RSS once the collector has returned what it freed: after a full compacting collection the runtime decommits
    /// free regions over the following moments, so RSS is read every 100 ms until two reads differ by less than
    /// 256 kB (at most 2 s). Null without /proc.
    /// </summary>
    public static long? SettledRssBytes()
    {
        ManagedBytes();
        long? last = RssBytes();
        for (int i = 0; i < 20 && last is not null; i++)
        {
            Thread.Sleep(100);
            long? now = RssBytes();
            if (Math.Abs(now!.Value - last.Value) < 256 * 1024) return now;
            last = now;
        }
        return last;
    }

    /// <summary>The <c>VmRSS</c> line of a <c>/proc/PID/status</c> text in bytes (the kernel writes kB); null when absent.</summary>
    public static long? ParseVmRss(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var fields = line["VmRSS:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[1] == "kB" && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                return kb * 1024;
            throw new FormatException($"unexpected VmRSS line in {status.Length}-character status text: '{line}'");
        }
        return null;
    }
}
