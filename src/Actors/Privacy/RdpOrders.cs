namespace FedActors.Actors.Privacy;

/// <summary>The Rényi orders the accountant tracks.</summary>
public static class RdpOrders
{
    /// <summary>
    /// 1.1 to 10.9 in steps of 0.1, the integers 11 to 63, then 128, 256, 512 and 1024: the default of Google's
    /// dp-accounting library (a superset of Opacus'). Fine steps near 1 serve large ε; the large orders serve the
    /// small ε of strong noise and rare sampling.
    /// </summary>
    public static IReadOnlyList<double> Default { get; } =
        [.. Enumerable.Range(1, 99).Select(x => 1 + x / 10.0), .. Enumerable.Range(11, 53).Select(x => (double)x), 128, 256, 512, 1024];
}
