using FedActors.Actors.Cluster;
using FedActors.Host.Commands;

namespace FedActors.Host.Tests.Cluster;

public sealed class StatusRenderSpecs
{
    private static NodeStatusProtocol.NodeStatusReport Report(params NodeStatusProtocol.ClientNodeReport[] nodes) => new(
        "akka.tcp://fedactors@127.0.0.1:4053", "coordinator", "akka.tcp://fedactors@127.0.0.1:4053",
        [new("akka.tcp://fedactors@127.0.0.1:4053", "Up", "coordinator", true)], [],
        new NodeStatusProtocol.RunStatusReport("akka.tcp://fedactors@127.0.0.1:4053", 10, 4, 12, 3, 3, 2, 0.5, 100, 200, 0, nodes));

    [Fact(DisplayName = "Status must list each client node's registered clients and mark an unreachable one")]
    public void Status_must_list_client_nodes()
    {
        var text = StatusCommand.Render(Report(
            new("akka.tcp://fedactors@127.0.0.1:4060", [0, 2, 4], 1_500, true),
            new("akka.tcp://fedactors@127.0.0.1:4061", [1], 7, false)));
        Assert.Contains("real clients: 4 registered by 2 client node(s):\n", text);
        Assert.Contains("  akka.tcp://fedactors@127.0.0.1:4060  3 clients [0,2,4], 1,500 samples\n", text);
        Assert.Contains("  akka.tcp://fedactors@127.0.0.1:4061  1 client [1], 7 samples (unreachable: not selected)\n", text);
    }

    [Fact(DisplayName = "Status of a run with sharded virtual clients must not list client nodes")]
    public void Status_without_client_nodes_must_not_list_them()
    {
        var text = StatusCommand.Render(Report());
        Assert.DoesNotContain("real clients", text);
        Assert.Contains("run: coordinator on akka.tcp://fedactors@127.0.0.1:4053, step 4/10", text);
    }
}
