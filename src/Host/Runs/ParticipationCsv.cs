using System.Globalization;

namespace FedActors.Host.Runs;

/// <summary><c>participation.csv</c> of a run directory: applied updates per client.</summary>
public static class ParticipationCsv
{
    /// <summary>Writes one row <c>client_id,updates</c> per client, by client id.</summary>
    public static async Task WriteAsync(string path, IReadOnlyDictionary<int, int> participation)
    {
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("client_id,updates");
        foreach (var (client, count) in participation.OrderBy(kv => kv.Key))
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{client},{count}"));
    }
}
