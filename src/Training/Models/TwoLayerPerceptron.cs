using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Models;

/// <summary>
/// The "2NN" of McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized
/// Data" (AISTATS 2017): two hidden layers of 200 units with ReLU (199,210 parameters on 28×28 inputs).
/// </summary>
public sealed class TwoLayerPerceptron : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Flatten _flatten = nn.Flatten();
    private readonly TorchSharp.Modules.Linear _fc1;
    private readonly TorchSharp.Modules.ReLU _relu1 = nn.ReLU();
    private readonly TorchSharp.Modules.Linear _fc2;
    private readonly TorchSharp.Modules.ReLU _relu2 = nn.ReLU();
    private readonly TorchSharp.Modules.Linear _fc3;

    /// <summary>Creates the model for <paramref name="inputs"/> features and <paramref name="classes"/> classes.</summary>
    public TwoLayerPerceptron(int inputs, int classes, int hidden = 200) : base(nameof(TwoLayerPerceptron))
    {
        _fc1 = nn.Linear(inputs, hidden);
        _fc2 = nn.Linear(hidden, hidden);
        _fc3 = nn.Linear(hidden, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    /// <remarks>Intermediates are released by the caller's dispose scope (one per batch).</remarks>
    public override Tensor forward(Tensor input) =>
        _fc3.call(_relu2.call(_fc2.call(_relu1.call(_fc1.call(_flatten.call(input))))));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _flatten.Dispose();
            _fc1.Dispose();
            _relu1.Dispose();
            _fc2.Dispose();
            _relu2.Dispose();
            _fc3.Dispose();
        }
        base.Dispose(disposing);
    }
}
