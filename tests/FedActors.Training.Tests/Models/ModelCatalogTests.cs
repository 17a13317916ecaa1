using FedActors.Training.LocalTraining;
using FedActors.Training.Models;

namespace FedActors.Training.Tests.Models;

public class ModelCatalogTests
{
    [Theory]
    [InlineData("logreg", 7_850)]
    [InlineData("mlp", 199_210)]
    [InlineData("simple-cnn", 44_426)]
    [InlineData("cnn", 1_663_370)]
    public void Models_must_have_the_papers_parameter_counts_on_28x28_inputs(string name, int expected)
    {
        using var replica = ModelReplica.Create(name, new[] { 1, 28, 28 }, 10);
        Assert.Equal(expected, replica.Layout.TotalCount);
        Assert.Equal(expected, ModelCatalog.Describe(name, new[] { 1, 28, 28 }, 10).ParameterCount);
    }

    [Fact]
    public void Cnn_forward_cost_must_match_the_hand_count()
    {
        // conv1 28·28·32·25 + conv2 14·14·64·(32·25) + fc 3136·512 + 512·10
        Assert.Equal(627_200 + 10_035_200 + 1_605_632 + 5_120, ModelCatalog.Describe("cnn", new[] { 1, 28, 28 }, 10).ForwardMacsPerSample);
    }

    [Fact]
    public void Unknown_model_name_must_list_the_valid_names()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Create("resnet", new[] { 1, 28, 28 }, 10));
        Assert.Equal("fedactors.model.name: unknown 'resnet', valid values are logreg, mlp, simple-cnn, cnn", e.Message);
    }

    [Fact]
    public void Cnn_on_vector_data_must_be_refused_with_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCatalog.Create("simple-cnn", new[] { 60 }, 10));
        Assert.Contains("shape [60]", e.Message);
    }

    [Theory]
    [InlineData("simple-cnn", 1)]
    [InlineData("simple-cnn", 3)]
    [InlineData("cnn", 1)]
    public void Flat_weights_must_round_trip_through_a_channels_last_replica_in_the_modules_layout(string name, int channels)
    {
        var shape = new[] { channels, 28, 28 };
        using var replica = ModelReplica.Create(name, shape, 10);
        Assert.True(replica.ChannelsLast);
        // The second convolution's weight is stored NHWC: its memory order is not the flat (row-major NCHW) order.
        Assert.Contains(replica.Parameters, p => p.dim() == 4 && !p.is_contiguous());
        var w = Enumerable.Range(0, replica.Layout.TotalCount).Select(i => (float)Math.Sin(i)).ToArray();
        replica.LoadWeights(w);
        Assert.Equal(w, replica.ReadWeights());
        // The same flat vector in the textbook NCHW module puts every value at the same logical index.
        using var plain = ModelCatalog.Create(name, shape, 10);
        var parameters = plain.parameters().Select(p => (TorchSharp.torch.Tensor)p).ToArray();
        FlatWeights.Write(parameters, w);
        for (int i = 0; i < parameters.Length; i++)
        {
            using var equal = parameters[i].eq(replica.Parameters[i]).all();
            Assert.True(equal.item<bool>(), $"parameter {replica.Layout.Slices[i].Name} differs");
        }
    }

    [Fact]
    public void A_model_without_convolutions_must_keep_the_default_layout()
    {
        using var replica = ModelReplica.Create("mlp", new[] { 1, 28, 28 }, 10);
        Assert.False(replica.ChannelsLast);
        Assert.All(replica.Parameters, p => Assert.True(p.is_contiguous()));
    }

    [Fact]
    public void Flat_weights_must_round_trip_through_the_module()
    {
        using var replica = ModelReplica.Create("simple-cnn", new[] { 1, 28, 28 }, 10);
        var w = Enumerable.Range(0, replica.Layout.TotalCount).Select(i => (float)Math.Sin(i)).ToArray();
        replica.LoadWeights(w);
        Assert.Equal(w, replica.ReadWeights());
        Assert.Equal("_conv1.weight", replica.Layout.Slices[0].Name);
        Assert.Equal(150, replica.Layout.Slices[1].Offset);
    }
}
