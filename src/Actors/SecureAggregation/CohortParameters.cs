namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// The public parameters of one SecAgg+ cohort, known to the server and every member before the protocol starts.
/// </summary>
/// <param name="CohortId">The cohort's number; bound into every derived key, so messages of one cohort mean nothing in another.</param>
/// <param name="Members">Members n, with indices 0 … n − 1.</param>
/// <param name="Degree">Neighbours k of each member on the masking graph (even, below n), or n − 1 (or more) for the complete graph.</param>
/// <param name="Threshold">Shares t that rebuild a member's secret, out of its k + 1 (its neighbours' and its own).</param>
/// <param name="Bits">b: inputs and masks live in Z_(2^b), 1 … 32.</param>
/// <param name="GraphSeed">The public randomness that lays out the masking graph.</param>
public sealed record CohortParameters(long CohortId, int Members, int Degree, int Threshold, int Bits, ulong GraphSeed)
{
    /// <summary>Neighbours each member actually has: <see cref="Degree"/>, or n − 1 for a complete graph.</summary>
    public int EffectiveDegree => Math.Min(Degree, Members - 1);

    /// <summary>Throws, naming the parameter, when the cohort cannot run.</summary>
    public CohortParameters Validate()
    {
        if (Members < 2) throw new ArgumentOutOfRangeException(nameof(Members), Members, "a cohort needs at least 2 members");
        if (Degree < 1) throw new ArgumentOutOfRangeException(nameof(Degree), Degree, "each member needs at least one neighbour");
        if (EffectiveDegree < Members - 1 && Degree % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(Degree), Degree, $"the neighbour count must be even on a graph of {Members} members, or at least {Members - 1} for the complete graph");
        if (Threshold < 1 || Threshold > EffectiveDegree + 1)
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, $"the threshold must be in [1, {EffectiveDegree + 1}] (a member's neighbours and itself)");
        if (Bits is < 1 or > 32) throw new ArgumentOutOfRangeException(nameof(Bits), Bits, "inputs live in Z_(2^b) for b in 1 … 32");
        return this;
    }

    /// <summary>The bytes that bind a derivation to this cohort and a purpose: "fedactors-secagg", the cohort, the purpose, the members.</summary>
    internal byte[] Context(string purpose, int a, int b)
    {
        var text = System.Text.Encoding.UTF8.GetBytes($"fedactors-secagg/{CohortId}/{purpose}");
        var context = new byte[text.Length + 8];
        text.CopyTo(context, 0);
        BitConverter.TryWriteBytes(context.AsSpan(text.Length), a);
        BitConverter.TryWriteBytes(context.AsSpan(text.Length + 4), b);
        return context;
    }
}
