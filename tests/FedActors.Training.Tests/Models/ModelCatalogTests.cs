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
