namespace FedActors.Actors.Privacy;

/// <summary>
/// The Rényi DP accountant: a ledger of <see cref="PrivacyCharge"/>s whose RDP curves add up (RDP composes by
/// addition at each order), converted to (ε, δ) on demand.
/// </summary>
/// <remarks>
/// The ledger is the state to persist: charges of the same rate and noise merge into one entry, and the total is always
/// recomputed from the entries in their order, so an accountant rebuilt from a saved ledger reports bit for bit the ε of
/// the one that composed step by step. Not thread-safe.
/// </remarks>
public sealed class RdpAccountant
{
    private readonly double[] _orders;
    private readonly List<PrivacyCharge> _ledger = [];
    private readonly Dictionary<(double Q, double Sigma), double[]> _stepRdp = [];
    private readonly double[] _total, _scratch;

    /// <summary>An accountant over <paramref name="orders"/> (default <see cref="RdpOrders.Default"/>) holding <paramref name="ledger"/>.</summary>
    public RdpAccountant(IEnumerable<PrivacyCharge>? ledger = null, IReadOnlyList<double>? orders = null)
    {
        _orders = [.. orders ?? RdpOrders.Default];
        if (_orders.Length == 0) throw new ArgumentException("the accountant needs at least one Rényi order", nameof(orders));
        foreach (var a in _orders)
            if (!(a > 1)) throw new ArgumentOutOfRangeException(nameof(orders), a, "Rényi orders must be > 1");
        _total = new double[_orders.Length];
        _scratch = new double[_orders.Length];
        foreach (var charge in ledger ?? []) Compose(charge);
    }

    /// <summary>The orders tracked.</summary>
    public IReadOnlyList<double> Orders => _orders;

    /// <summary>The charges so far, equal ones merged, in the order they first appeared.</summary>
    public IReadOnlyList<PrivacyCharge> Ledger => _ledger;

    /// <summary>The total RDP at each of <see cref="Orders"/>.</summary>
    public ReadOnlySpan<double> Rdp => _total;

    /// <summary>Adds <paramref name="charge"/> to the ledger.</summary>
    public void Compose(PrivacyCharge charge)
    {
        charge.Validate();
        if (charge.Steps == 0) return;
        int i = _ledger.FindIndex(c => c.SamplingRate == charge.SamplingRate && c.NoiseMultiplier == charge.NoiseMultiplier);
        if (i >= 0) _ledger[i] = _ledger[i] with { Steps = checked(_ledger[i].Steps + charge.Steps) };
        else _ledger.Add(charge);
        Sum(_ledger, null, _total);
    }

    /// <summary>The (ε, δ) guarantee of the ledger.</summary>
    public PrivacyGuarantee Epsilon(double delta) => RdpConversion.Epsilon(_orders, _total, delta);

    /// <summary>The (ε, δ) guarantee the ledger would give after <paramref name="next"/>, without charging it.</summary>
    public PrivacyGuarantee EpsilonAfter(PrivacyCharge next, double delta)
    {
        next.Validate();
        Sum(_ledger, next, _scratch);
        return RdpConversion.Epsilon(_orders, _scratch, delta);
    }

    // Sums in ledger order, merging `extra` where compose would, so that a what-if equals the composed result exactly.
    private void Sum(List<PrivacyCharge> ledger, PrivacyCharge? extra, double[] total)
    {
        Array.Clear(total);
        bool merged = extra is null || extra.Value.Steps == 0;
        foreach (var entry in ledger)
        {
            var charge = entry;
            if (!merged && entry.SamplingRate == extra!.Value.SamplingRate && entry.NoiseMultiplier == extra.Value.NoiseMultiplier)
            {
                charge = entry with { Steps = entry.Steps + extra.Value.Steps };
                merged = true;
            }
            Add(charge, total);
        }
        if (!merged) Add(extra!.Value, total);
    }

    private void Add(PrivacyCharge charge, double[] total)
    {
        var step = StepRdp(charge.SamplingRate, charge.NoiseMultiplier);
        for (int i = 0; i < total.Length; i++) total[i] += charge.Steps * step[i];
    }

    private double[] StepRdp(double q, double sigma)
    {
        if (!_stepRdp.TryGetValue((q, sigma), out var rdp))
        {
            rdp = new double[_orders.Length];
            SampledGaussianRdp.Rdp(q, sigma, _orders, rdp);
            _stepRdp[(q, sigma)] = rdp;
        }
        return rdp;
    }
}
