using System.Collections.Concurrent;
using FedActors.Actors.Population;
using FedActors.Training;
using FedActors.Training.Data;

namespace FedActors.Actors.Attacks;

/// <summary>
/// A population whose malicious clients train on poisoned copies of their own samples, as a data-poisoning attacker
/// does on its device; honest clients see their data unchanged.
/// <list type="bullet">
/// <item><c>label-flip</c>: every label y becomes C − 1 − y (Tolpegin et al. 2020).</item>
/// <item><c>backdoor</c>: round(<c>poison-fraction</c> · n) of the client's n samples, drawn from (seed, client), carry the
/// <see cref="BackdoorTrigger"/> and the target label; the rest stay as they are, so the model keeps its main task.</item>
/// </list>
/// </summary>
/// <remarks>
/// A malicious client's copy is made on its first training and kept: together the copies hold at most the malicious
/// clients' share of the training set, whatever the population's size.
/// </remarks>
public sealed class PoisonedClientData : IClientDataSource
{
    private const ulong PoisonPurpose = 0x706F_6973_6F6E_6564; // "poisoned"

    private readonly IClientDataSource _honest;
    private readonly AttackSettings _attack;
    private readonly MaliciousClients _malicious;
    private readonly BackdoorTrigger? _trigger;
    private readonly ConcurrentDictionary<int, ClientData> _poisoned = new();

    /// <summary>The population of <paramref name="honest"/>, with the malicious clients' data poisoned as <paramref name="attack"/> says.</summary>
    /// <param name="honest">The clients' own data.</param>
    /// <param name="attack">A data-poisoning attack (<see cref="AttackSettings.PoisonsData"/>).</param>
    /// <param name="trigger">The backdoor's trigger; required for a backdoor, unused otherwise.</param>
    public PoisonedClientData(IClientDataSource honest, AttackSettings attack, BackdoorTrigger? trigger = null)
    {
        ArgumentNullException.ThrowIfNull(honest);
        ArgumentNullException.ThrowIfNull(attack);
        if (!attack.PoisonsData) throw new ArgumentException($"{attack.KindName} does not poison training data", nameof(attack));
        if (attack.Kind == AttackKind.Backdoor && trigger is null) throw new ArgumentNullException(nameof(trigger), "a backdoor needs its trigger");
        (_honest, _attack, _trigger) = (honest, attack, trigger);
        _malicious = attack.Malicious();
    }

    /// <inheritdoc />
    public int ClientCount => _honest.ClientCount;

    /// <inheritdoc />
    public ClientData Get(int clientId) =>
        _malicious.Contains(clientId) ? _poisoned.GetOrAdd(clientId, Poison) : _honest.Get(clientId);

    /// <inheritdoc />
    public int SampleCount(int clientId) => _honest.SampleCount(clientId);

    private ClientData Poison(int clientId)
    {
        var own = _honest.Get(clientId);
        var data = own.Data;
        var (features, labels) = own.CopySamples();
        int n = labels.Length, size = data.FeatureSize;
        if (_attack.Kind == AttackKind.LabelFlip)
        {
            for (int k = 0; k < n; k++) labels[k] = data.NumClasses - 1 - labels[k];
        }
        else
        {
            var trigger = _trigger!;
            int count = (int)Math.Round(_attack.PoisonFraction * n, MidpointRounding.AwayFromZero);
            var order = Enumerable.Range(0, n).ToArray();
            DeterministicRandom.For(_attack.Seed, (ulong)clientId, PoisonPurpose).ShufflePrefix(order.AsSpan(), count);
            foreach (int k in order.AsSpan(0, count))
            {
                trigger.Stamp(features.AsSpan(k * size, size), data.SampleShape);
                labels[k] = trigger.TargetLabel;
            }
        }
        var poisoned = new LabeledDataset($"{data.Name}/client-{clientId}+{_attack.KindName}", features, labels, data.SampleShape, data.NumClasses);
        return new ClientData(poisoned, Enumerable.Range(0, n).ToArray());
    }
}
