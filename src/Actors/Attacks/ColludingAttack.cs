using System.Numerics.Tensors;
using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Attacks;

/// <summary>
/// Colluding attackers who see the honest updates of the step they join, the threat model of "a little is enough"
/// (Baruch et al. 2019) and inner-product manipulation (Xie et al. 2020). The wrapper sits outside every defense: it
/// holds each malicious update back until the step is due, then replaces it, from the honest updates of that buffer
/// (FedBuff) or round (FedAvg) with coordinate-wise mean μ and standard deviation σ, by
/// <list type="bullet">
/// <item><c>little-is-enough</c>: μ − z·σ, close enough to the honest updates to pass a robust rule, all pulling one way;</item>
/// <item><c>ipm</c>: −ε·μ, whose inner product with the honest mean is negative.</item>
/// </list>
/// and offers it to the strategy inside (norm bounding, a robust aggregator) as the malicious client's update.
/// </summary>
/// <remarks>
/// Only the current step's updates are used, so a run resumed from its journal crafts the same updates. A step whose
/// updates are all malicious gives the attackers nothing to craft from: they send zeros. σ is the population standard
/// deviation (divided by the honest count). Crafted updates live in arrays of this wrapper, allocated once.
/// </remarks>
public sealed class ColludingAttack : StrategyWrapper
{
    private readonly AttackSettings _attack;
    private readonly MaliciousClients _malicious;
    private readonly int _stepSize;
    private readonly ClientContribution[] _held;
    private readonly float[][] _crafted;
    private readonly float[][] _honest;
    private readonly float[] _mean;
    private readonly float[] _std;
    private int _heldCount;
    private int _honestCount;

    /// <summary>The attack of <paramref name="attack"/> around <paramref name="inner"/>, whose steps take <paramref name="stepSize"/> updates.</summary>
    public ColludingAttack(IAggregationStrategy inner, AttackSettings attack, int dimension, int stepSize) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(attack);
        if (!attack.CraftsFromBuffer) throw new ArgumentException($"{attack.KindName} does not craft updates from a buffer", nameof(attack));
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        (_attack, _stepSize) = (attack, stepSize);
        _malicious = attack.Malicious();
        _held = new ClientContribution[stepSize];
        _crafted = new float[stepSize][];
        _honest = new float[stepSize][];
        _mean = new float[dimension];
        _std = new float[dimension];
    }

    /// <summary>z of little-is-enough for this step size: the configured one, or Baruch et al.'s z_max.</summary>
    public double Z => _attack.Z ?? LittleIsEnough.ZMax(_stepSize, LittleIsEnough.ExpectedMalicious(_stepSize, _attack.Fraction));

    /// <summary>Malicious updates replaced since the start (for reports).</summary>
    public long Crafted { get; private set; }

    /// <inheritdoc />
    public override int Pending => Inner.Pending + _heldCount;

    /// <inheritdoc />
    public override bool IsStepDue => Inner.IsStepDue || (_heldCount > 0 && Pending >= _stepSize);

    /// <inheritdoc />
    public override Admission Offer(in ClientContribution update)
    {
        if (_malicious.Contains(update.ClientId))
        {
            if (Pending >= _stepSize) return Admission.Of(BufferAdmission.BufferFull);
            _held[_heldCount++] = update;
            return Admission.Accepted;
        }
        var admission = Inner.Offer(update);
        if (admission.Kind == AdmissionKind.Accepted && _honestCount < _honest.Length) _honest[_honestCount++] = update.Delta;
        return admission;
    }

    /// <inheritdoc />
    public override AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate)
    {
        if (_heldCount > 0)
        {
            Statistics();
            for (int i = 0; i < _heldCount; i++)
            {
                var crafted = _crafted[i] ??= new float[_mean.Length];
                Craft(crafted);
                // A crafted update the strategy refuses (a sample-weighted step and a client without samples) is dropped.
                Inner.Offer(_held[i] with { Delta = crafted });
                Crafted++;
            }
            Array.Clear(_held, 0, _heldCount);
            _heldCount = 0;
        }
        Array.Clear(_honest, 0, _honestCount);
        _honestCount = 0;
        return Inner.Aggregate(current, aggregate);
    }

    // μ and σ of the honest updates, coordinate-wise: two vectorized passes per update.
    private void Statistics()
    {
        Array.Clear(_mean);
        Array.Clear(_std);
        if (_honestCount == 0) return;
        for (int i = 0; i < _honestCount; i++) TensorPrimitives.Add(_mean, _honest[i], _mean);
        TensorPrimitives.Multiply(_mean, 1f / _honestCount, _mean);
        // _crafted[0] is free until the first craft: it holds each update's deviation in turn.
        var deviation = _crafted[0] ??= new float[_mean.Length];
        for (int i = 0; i < _honestCount; i++)
        {
            TensorPrimitives.Subtract(_honest[i], _mean, deviation);
            TensorPrimitives.MultiplyAdd(deviation, deviation, _std, _std);
        }
        TensorPrimitives.Multiply(_std, 1f / _honestCount, _std);
        TensorPrimitives.Sqrt(_std, _std);
    }

    private void Craft(Span<float> crafted)
    {
        switch (_attack.Kind)
        {
            case AttackKind.LittleIsEnough:
                TensorPrimitives.MultiplyAdd(_std, (float)-Z, _mean, crafted);
                break;
            case AttackKind.InnerProduct:
                TensorPrimitives.Multiply(_mean, (float)-_attack.Epsilon, crafted);
                break;
        }
    }
}

/// <summary>The settings of <see cref="ColludingAttack"/>: on when <c>fedactors.attack.kind</c> is little-is-enough or ipm.</summary>
/// <param name="Attack">The attack.</param>
/// <param name="StepSize">Updates per step of the strategy attacked (FedBuff's buffer, FedAvg's round).</param>
public sealed record ColludingAttackSettings(AttackSettings Attack, int StepSize) : IStrategyWrapperSettings
{
    /// <summary>The wrapper's name.</summary>
    public const string WrapperName = "colluding-attack";

    /// <inheritdoc />
    public string Name => WrapperName;

    /// <inheritdoc />
    public IAggregationStrategy Wrap(IAggregationStrategy inner, int dimension) => new ColludingAttack(inner, Attack, dimension, StepSize);

    /// <summary>
    /// Reads <c>fedactors.attack</c>: the wrapper when its kind is little-is-enough or ipm, null otherwise. The step size is
    /// FedBuff's <c>buffer-size</c> or FedAvg's <c>clients-per-round</c>.
    /// </summary>
    /// <exception cref="ConfigurationException">Another algorithm: the attackers need a buffer or a round to hide in.</exception>
    public static ColludingAttackSettings? Create(Config config)
    {
        var attack = AttackSettings.Create(config, unchecked((ulong)new ConfigReader(config, "fedactors").Long("seed")));
        if (!attack.CraftsFromBuffer) return null;
        var server = new ConfigReader(config, "fedactors.server");
        return server.String("algorithm") switch
        {
            "fedbuff" => new ColludingAttackSettings(attack, server.Int("buffer-size", min: 1)),
            "fedavg" => new ColludingAttackSettings(attack, server.Int("clients-per-round", min: 1)),
            var other => throw new ConfigurationException(
                $"fedactors.attack.kind = {attack.KindName} crafts malicious updates from the honest ones of a FedBuff buffer or a FedAvg round; {other} has neither: use fedbuff or fedavg"),
        };
    }
}
