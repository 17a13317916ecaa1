using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace FedActors.Actors.Persistence;

/// <summary>
/// The journal of <c>fedactors.persistence.provider = memory</c>: entries live in this process only, and a
/// delete really lets them go. Akka's own in-memory journal keeps deleted entries reachable, so a long run or
/// a run with thousands of jobs in flight (each snapshot lists them all) would hold every step it
/// ever journaled.
/// </summary>
public sealed class VolatileJournal : AsyncWriteJournal
{
    /// <summary>The plugin's config path.</summary>
    public const string PluginId = "akka.persistence.journal.fedactors-volatile";

    private readonly Dictionary<string, SortedList<long, IPersistentRepresentation>> _entries = new();
    // The highest sequence number survives the deletion of the entries up to it, as a journal must report it.
    private readonly Dictionary<string, long> _highest = new();
    private readonly Lock _gate = new();

    /// <summary>The journal and snapshot-store plugin definitions, and the settings that select them.</summary>
    public static Config Configuration { get; } = ConfigurationFactory.ParseString($$"""
        akka.persistence {
          journal.plugin = "{{PluginId}}"
          snapshot-store.plugin = "{{VolatileSnapshotStore.PluginId}}"
          journal.fedactors-volatile {
            class = "{{typeof(VolatileJournal).AssemblyQualifiedName}}"
            plugin-dispatcher = "akka.actor.default-dispatcher"
          }
          snapshot-store.fedactors-volatile {
            class = "{{typeof(VolatileSnapshotStore).AssemblyQualifiedName}}"
            plugin-dispatcher = "akka.actor.default-dispatcher"
          }
        }
        """);

    /// <summary>Asks a volatile journal or snapshot store how many entries it holds for a persistence id; the answer is a <see cref="Held"/>.</summary>
    public sealed record CountHeld(string PersistenceId);

    /// <summary>Entries (journal) or snapshots (snapshot store) held, deleted ones not counted.</summary>
    public sealed record Held(int Count);

    /// <inheritdoc />
    protected override bool ReceivePluginInternal(object message)
    {
        if (message is not CountHeld c) return false;
        lock (_gate) Sender.Tell(new Held(_entries.TryGetValue(c.PersistenceId, out var list) ? list.Count : 0));
        return true;
    }

    /// <inheritdoc />
    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var write in messages)
            {
                foreach (var p in (IImmutableList<IPersistentRepresentation>)write.Payload)
                {
                    if (!_entries.TryGetValue(p.PersistenceId, out var list)) _entries[p.PersistenceId] = list = new();
                    list[p.SequenceNr] = p;
                    _highest[p.PersistenceId] = Math.Max(_highest.GetValueOrDefault(p.PersistenceId), p.SequenceNr);
                }
            }
        }
        // null: every write succeeded.
        return Task.FromResult<IImmutableList<Exception?>>(null!);
    }

    /// <inheritdoc />
    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(persistenceId, out var list))
            {
                while (list.Count > 0 && list.Keys[0] <= toSequenceNr) list.RemoveAt(0);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        IPersistentRepresentation[] replay;
        lock (_gate)
        {
            replay = _entries.TryGetValue(persistenceId, out var list)
                ? list.Values.Where(p => p.SequenceNr >= fromSequenceNr && p.SequenceNr <= toSequenceNr).Take((int)Math.Min(max, int.MaxValue)).ToArray()
                : [];
        }
        foreach (var p in replay) recoveryCallback(p);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_highest.GetValueOrDefault(persistenceId));
    }
}
