using System.Globalization;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// The combiner of <c>fedactors.server.aggregator</c> and its keys: <c>mean</c> (the strategy's own weighted mean, no
/// combiner), <c>median</c>, <c>trimmed-mean</c> (<c>trimmed-mean-beta</c>), <c>krum</c> and <c>multi-krum</c>
/// (<c>krum-f</c>, <c>multi-krum-m</c>), <c>bulyan</c> (<c>krum-f</c>), <c>geometric-median</c>, <c>divide-and-conquer</c>
/// (<c>krum-f</c>, <c>dnc-filter-fraction</c>), <c>signguard</c> (<c>signguard-lower-norm</c>, <c>signguard-upper-norm</c>) and the asynchrony-aware <c>staleness-norm-bound</c> (<c>staleness-norm-bound-factor</c>).
/// </summary>
/// <param name="Name">The aggregator's name.</param>
/// <param name="Beta">β of the trimmed mean.</param>
/// <param name="Byzantine">f of Krum.</param>
/// <param name="Selected">m of Multi-Krum.</param>
/// <param name="BoundFactor">ρ of the staleness-aware norm bound.</param>
/// <param name="FilterFraction">c of divide-and-conquer: ⌊c·f⌋ updates dropped per step.</param>
/// <param name="LowerNorm">SignGuard's L: the least norm passed, as a multiple of the step's median.</param>
/// <param name="UpperNorm">SignGuard's R: the largest norm passed, as a multiple of the step's median.</param>
public sealed record Combiners(string Name, double Beta = 0.1, int Byzantine = 1, int Selected = 5, double BoundFactor = 1.0, double FilterFraction = 1.0,
    double LowerNorm = 0.1, double UpperNorm = 3.0)
{
    /// <summary>The names <c>fedactors.server.aggregator</c> takes.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["mean", CoordinateMedian.CombinerName, TrimmedMean.CombinerName, "krum", "multi-krum", Bulyan.CombinerName, GeometricMedian.CombinerName,
            DivideAndConquer.CombinerName, SignGuard.CombinerName, StalenessAwareNormBound.CombinerName];

    /// <summary>The weighted mean: no combiner.</summary>
    public static Combiners Mean { get; } = new("mean");

    /// <summary>A new combiner, or null for the mean.</summary>
    public IUpdateCombiner? Create() => Name switch
    {
        "mean" => null,
        CoordinateMedian.CombinerName => new CoordinateMedian(),
        TrimmedMean.CombinerName => new TrimmedMean(Beta),
        "krum" => new Krum(Byzantine),
        "multi-krum" => new Krum(Byzantine, Selected),
        Bulyan.CombinerName => new Bulyan(Byzantine),
        GeometricMedian.CombinerName => new GeometricMedian(),
        DivideAndConquer.CombinerName => new DivideAndConquer(Byzantine, FilterFraction),
        SignGuard.CombinerName => new SignGuard(LowerNorm, UpperNorm),
        StalenessAwareNormBound.CombinerName => new StalenessAwareNormBound(BoundFactor),
        _ => throw new InvalidOperationException($"unknown aggregator '{Name}'"),
    };

    /// <summary>Reads <c>fedactors.server.aggregator</c> and the keys of the one named.</summary>
    /// <exception cref="ConfigurationException">An unknown aggregator or a value out of range.</exception>
    public static Combiners Create(Config config)
    {
        var c = new ConfigReader(config, "fedactors.server");
        var name = c.OneOf("aggregator", Names);
        var beta = c.Double("trimmed-mean-beta", min: 0);
        if (beta >= 0.5) throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"fedactors.server.trimmed-mean-beta must be below 0.5, got {beta}"));
        var (lower, upper) = NormRangeOf(c);
        return new Combiners(name, beta, c.Int("krum-f", min: 0), c.Int("multi-krum-m", min: 1), c.Double("staleness-norm-bound-factor", minExclusive: 0),
            c.Double("dnc-filter-fraction", minExclusive: 0), lower, upper);
    }

    // signguard-lower-norm and signguard-upper-norm, 0 <= L < R.
    private static (double, double) NormRangeOf(ConfigReader c)
    {
        double lower = c.Double("signguard-lower-norm", min: 0), upper = c.Double("signguard-upper-norm", minExclusive: 0);
        if (upper <= lower)
            throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture,
                $"fedactors.server.signguard-upper-norm ({upper}) must be above signguard-lower-norm ({lower})"));
        return (lower, upper);
    }

    /// <summary>
    /// Checks that a step of <paramref name="updatesPerStep"/> updates (<paramref name="key"/>) is enough for this
    /// aggregator: Krum needs 2f + 3, Multi-Krum also m, a trimmed mean and divide-and-conquer must keep one.
    /// </summary>
    /// <exception cref="ArgumentException">It is not, with the keys to change.</exception>
    public void RequireStep(int updatesPerStep, string key)
    {
        int least = Name switch
        {
            "krum" => 2 * Byzantine + 3,
            "multi-krum" => Math.Max(2 * Byzantine + 3, Selected),
            Bulyan.CombinerName => 4 * Byzantine + 3,
            TrimmedMean.CombinerName => 2 * (int)Math.Floor(Beta * updatesPerStep) + 1,
            DivideAndConquer.CombinerName => (int)Math.Floor(FilterFraction * Byzantine) + 1,
            _ => 1,
        };
        if (updatesPerStep < least)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"fedactors.server.aggregator = {Name} needs at least {least} updates per step (krum-f = {Byzantine}, multi-krum-m = {Selected}, trimmed-mean-beta = {Beta}, dnc-filter-fraction = {FilterFraction}), but fedactors.server.{key} = {updatesPerStep}"));
    }

    /// <summary>Checks what every combiner needs: at least <paramref name="least"/> updates, each of <paramref name="dimension"/> values.</summary>
    /// <returns>The number of updates.</returns>
    internal static int RequireUpdates(ReadOnlySpan<BufferedUpdate> updates, int dimension, int least, string name)
    {
        if (updates.Length < least) throw new ArgumentException($"{name} needs at least {least} update(s), got {updates.Length}", nameof(updates));
        foreach (var u in updates)
            if (u.Delta.Length != dimension) throw new ArgumentException($"{name}: an update has {u.Delta.Length} values, the model {dimension}", nameof(updates));
        return updates.Length;
    }
}
