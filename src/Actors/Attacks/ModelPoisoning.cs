using System.Numerics.Tensors;
using FedActors.Actors.Updates;
using FedActors.Training;

namespace FedActors.Actors.Attacks;

/// <summary>
/// A simulated attacker's client-side transform: a malicious client replaces its update before it leaves, an honest
/// one sends it as it is, and the server cannot tell (it decodes nothing).
/// <list type="bullet">
/// <item><c>sign-flip</c>: −s·Δ, pushing the model away from where the client's data leads (s = <c>scale</c>).</item>
/// <item><c>scaling</c>: s·Δ, a boosted update that dominates a mean (model replacement, Bagdasaryan et al. 2020).</item>
/// <item><c>backdoor</c>: s·Δ too, Δ trained on the client's triggered samples (<see cref="PoisonedClientData"/>).</item>
/// <item><c>gaussian-noise</c>: a vector of N(0, σ²) values instead of Δ, drawn from (seed, job).</item>
/// </list>
/// </summary>
public sealed class ModelPoisoning : IUpdateTransform
{
    private const ulong NoisePurpose = 0x6174_7461_636B_6E7A; // "attacknz"

    private readonly AttackSettings _attack;
    private readonly MaliciousClients _malicious;

    /// <summary>The attack of <paramref name="attack"/> on the clients of <paramref name="malicious"/>.</summary>
    public ModelPoisoning(AttackSettings attack, MaliciousClients malicious)
    {
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(malicious);
        (_attack, _malicious) = (attack, malicious);
    }

    /// <inheritdoc />
    public string Name => _attack.TransformName;

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        if (!_malicious.Contains(context.ClientId)) return update;
        var delta = (update as DensePayload ?? throw new InvalidOperationException(
            $"{Name} crafts the whole float32 update, not {update.GetType().Name}: it runs before the compression codecs")).Values;
        // The client owns its update: replaced in place.
        switch (_attack.Kind)
        {
            case AttackKind.SignFlip:
                TensorPrimitives.Multiply(delta, (float)-_attack.Scale, delta);
                break;
            case AttackKind.Scaling or AttackKind.Backdoor:
                TensorPrimitives.Multiply(delta, (float)_attack.Scale, delta);
                break;
            case AttackKind.GaussianNoise:
                var random = DeterministicRandom.For(context.Seed, unchecked((ulong)context.JobId), NoisePurpose);
                for (int i = 0; i < delta.Length; i++) delta[i] = (float)random.NextNormal(0, _attack.Sigma);
                break;
        }
        return update;
    }

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays) => payload;
}
