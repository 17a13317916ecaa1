using Akka.Configuration;
using FedActors.Actors.Cluster;
using FedActors.Actors.Tests.Coordination;

namespace FedActors.Actors.Tests.Cluster;

public class ClientNodeSpecs
{
    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(SettingsTests.Reference());

    [Fact(DisplayName = "Registration messages must round-trip through the wire serializer")]
    public void Registration_messages_must_round_trip()
    {
        var register = new ClusterProtocol.RegisterClients([0, 3, 6], [20_000, 19_999, 1]);
        var back = Assert.IsType<ClusterProtocol.RegisterClients>(WireSerializer.Deserialize(WireSerializer.Serialize(register)));
        Assert.Equal(register.ClientIds, back.ClientIds);
        Assert.Equal(register.SampleCounts, back.SampleCounts);
        Assert.Equal(WireSerializer.SizeOf(register), WireSerializer.Serialize(register).Length);

        object[] replies = [new ClusterProtocol.ClientsRegistered(3), new ClusterProtocol.RegistrationRefused("client 3 is already registered by node ü")];
        foreach (var m in replies) Assert.Equal(m, WireSerializer.Deserialize(WireSerializer.Serialize(m)));
    }

    [Fact(DisplayName = "A registration must pair every client with a sample count")]
    public void Registration_must_pair_ids_and_counts()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClusterProtocol.RegisterClients([1, 2], [5]));
        Assert.Contains("2 ids and 1 counts", e.Message);
    }

    [Fact(DisplayName = "Silo i of n must hold the clients k with k mod n = i, and the settings must round-trip from HOCON")]
    public void Silo_must_hold_its_share_of_the_clients()
    {
        var d = ClientNodeSettings.Create(SettingsTests.Reference());
        Assert.Equal((0, 1, TimeSpan.FromSeconds(2)), (d.SiloIndex, d.SiloCount, d.RegisterEvery));
        var s = ClientNodeSettings.Create(With("fedactors.client-node { register-every = 500ms, silo { index = 1, count = 3 } }"));
        Assert.Equal((1, 3, TimeSpan.FromMilliseconds(500)), (s.SiloIndex, s.SiloCount, s.RegisterEvery));
        Assert.Equal(new[] { 1, 4, 7 }, s.OwnClients(9));
        Assert.Equal(new[] { 1 }, s.OwnClients(3));
        Assert.Throws<ConfigurationException>(() => s.OwnClients(1));
        Assert.Equal(ClientPlacement.Sharded, ClusterSettings.Create(SettingsTests.Reference()).Clients);
        var registered = ClusterSettings.Create(With("fedactors.cluster { clients = registered, min-clients = 3 }"));
        Assert.Equal((ClientPlacement.Registered, 3), (registered.Clients, registered.MinClients));
    }

    [Fact(DisplayName = "A silo index outside the silo count must be refused, naming both keys and values")]
    public void Silo_index_outside_the_count_must_be_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => ClientNodeSettings.Create(With("fedactors.client-node.silo { index = 3, count = 3 }")));
        Assert.Equal("fedactors.client-node.silo.index must be < fedactors.client-node.silo.count (3), got 3", e.Message);
        var bad = Assert.Throws<ConfigurationException>(() => ClusterSettings.Create(With("fedactors.cluster.clients = real")));
        Assert.Contains("'sharded' or 'registered'", bad.Message);
    }
}
