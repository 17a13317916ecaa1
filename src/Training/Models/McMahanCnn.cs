using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Models;

/// <summary>
/// The CNN of McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized
/// Data" (AISTATS 2017): conv 32@5×5, max-pool 2, conv 64@5×5, max-pool 2, fc 512, fc 10, ReLU.
/// "Same" padding (2) on both convolutions gives the paper's 1,663,370 parameters on 28×28 inputs.
/// </summary>
public sealed class McMahanCnn : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv2d _conv1;
    private readonly TorchSharp.Modules.ReLU _relu1 = nn.ReLU();
    private readonly TorchSharp.Modules.MaxPool2d _pool1 = nn.MaxPool2d(2);
    private readonly TorchSharp.Modules.Conv2d _conv2;
    private readonly TorchSharp.Modules.ReLU _relu2 = nn.ReLU();
    private readonly TorchSharp.Modules.MaxPool2d _pool2 = nn.MaxPool2d(2);
    private readonly TorchSharp.Modules.Flatten _flatten = nn.Flatten();
    private readonly TorchSharp.Modules.Linear _fc1;
    private readonly TorchSharp.Modules.ReLU _relu3 = nn.ReLU();
    private readonly TorchSharp.Modules.Linear _fc2;

    /// <summary>Creates the model for <paramref name="channels"/>×28×28 inputs.</summary>
    public McMahanCnn(int channels, int classes) : base(nameof(McMahanCnn))
    {
        _conv1 = nn.Conv2d(channels, 32, 5, padding: 2);
        _conv2 = nn.Conv2d(32, 64, 5, padding: 2);
        _fc1 = nn.Linear(64 * 7 * 7, 512);
        _fc2 = nn.Linear(512, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    /// <remarks>Intermediates are released by the caller's dispose scope (one per batch).</remarks>
    public override Tensor forward(Tensor input)
    {
        var c1 = _pool1.call(_relu1.call(_conv1.call(input)));
        var c2 = _pool2.call(_relu2.call(_conv2.call(c1)));
        var h = _relu3.call(_fc1.call(_flatten.call(c2)));
        return _fc2.call(h);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var m in new IDisposable[] { _conv1, _relu1, _pool1, _conv2, _relu2, _pool2, _flatten, _fc1, _relu3, _fc2 })
                m.Dispose();
        }
        base.Dispose(disposing);
    }
}
