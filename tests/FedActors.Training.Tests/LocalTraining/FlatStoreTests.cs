using FedActors.Training.LocalTraining;
using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Tests.LocalTraining;

public class FlatStoreTests
{
    [Theory]
    [InlineData("simple-cnn")] // channels-last convolution weights
    [InlineData("mlp")]
    public void Every_parameter_must_view_its_own_part_of_the_weight_store(string model)
    {
        using var replica = ModelReplica.Create(model, [1, 28, 28], 10);
        long total = replica.Layout.TotalCount;
        Assert.Equal(total, replica.Weights.numel());
        using (no_grad())
        using (var values = arange(total, dtype: ScalarType.Float32))
            replica.Weights.copy_(values);
        // Read through the parameters: each store value shows up exactly once, so the views tile the store.
        var read = replica.ReadWeights();
        Array.Sort(read);
        Assert.Equal(Enumerable.Range(0, (int)total).Select(i => (float)i), read);
    }

    [Theory]
    [InlineData("simple-cnn")]
    [InlineData("mlp")]
    public void Backward_must_accumulate_into_the_gradient_store_and_the_step_must_zero_it(string model)
    {
        using var replica = ModelReplica.Create(model, [1, 28, 28], 10);
        var options = new LocalTrainingOptions { BatchSize = 8, LearningRate = 0.1 };
        using var scope = NewDisposeScope();
        var x = randn(8, 1, 28, 28);
        var y = randint(0, 10, 8);
        var before = replica.ReadWeights();

        nn.functional.cross_entropy(replica.Module.call(x), y).backward();

        double storeSum = replica.Gradients.abs().sum().item<float>();
        double parameterSum = replica.Parameters.Sum(p => (double)p.grad!.abs().sum().item<float>());
        Assert.True(storeSum > 0, "backward left the gradient store at zero");
        Assert.Equal(storeSum, parameterSum, 3);

        SgdStep.Apply(replica, options);
        Assert.Equal(0f, replica.Gradients.abs().max().item<float>());
        Assert.All(replica.Parameters, p => Assert.Equal(0f, p.grad!.abs().max().item<float>()));
        Assert.NotEqual(before, replica.ReadWeights());

        // A second backward lands in the same store again (the gradients were zeroed, not dropped).
        nn.functional.cross_entropy(replica.Module.call(x), y).backward();
        Assert.True(replica.Gradients.abs().sum().item<float>() > 0);
    }
}
