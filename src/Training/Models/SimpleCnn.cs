using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Models;

/// <summary>
/// The simple CNN of NIID-Bench (Li et al., "Federated Learning on Non-IID Data Silos: An Experimental
/// Study", ICDE 2022) for 28×28 single-channel inputs: conv 6@5×5, max-pool 2, conv 16@5×5, max-pool 2,
/// fc 120, fc 84, fc 10, ReLU throughout and no padding (fc input 16·4·4 = 256; 44,426 parameters).
/// </summary>
public sealed class SimpleCnn : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv2d _conv1;
    private readonly TorchSharp.Modules.ReLU _relu1 = nn.ReLU();
    // 6 channels: libtorch's channels-last pooling would run a scalar loop (see MaxPool2x2).
    private readonly MaxPool2x2 _pool1 = new();
    private readonly TorchSharp.Modules.Conv2d _conv2;
    private readonly TorchSharp.Modules.ReLU _relu2 = nn.ReLU();
    // 16 channels fill an AVX-512 vector: libtorch's own channels-last pooling is fast here.
    private readonly TorchSharp.Modules.MaxPool2d _pool2 = nn.MaxPool2d(2);
    private readonly TorchSharp.Modules.Flatten _flatten = nn.Flatten();
    private readonly TorchSharp.Modules.Linear _fc1;
    private readonly TorchSharp.Modules.ReLU _relu3 = nn.ReLU();
    private readonly TorchSharp.Modules.Linear _fc2;
    private readonly TorchSharp.Modules.ReLU _relu4 = nn.ReLU();
    private readonly TorchSharp.Modules.Linear _fc3;

    /// <summary>Creates the model for <paramref name="channels"/>×28×28 inputs.</summary>
    public SimpleCnn(int channels, int classes) : base(nameof(SimpleCnn))
    {
        _conv1 = nn.Conv2d(channels, 6, 5);
        _conv2 = nn.Conv2d(6, 16, 5);
        _fc1 = nn.Linear(16 * 4 * 4, 120);
        _fc2 = nn.Linear(120, 84);
        _fc3 = nn.Linear(84, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    /// <remarks>Intermediates are released by the caller's dispose scope (one per batch).</remarks>
    public override Tensor forward(Tensor input)
    {
        var c1 = _pool1.call(_relu1.call(_conv1.call(input)));
        var c2 = _pool2.call(_relu2.call(_conv2.call(c1)));
        var h1 = _relu3.call(_fc1.call(_flatten.call(c2)));
        var h2 = _relu4.call(_fc2.call(h1));
        return _fc3.call(h2);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var m in new IDisposable[] { _conv1, _relu1, _pool1, _conv2, _relu2, _pool2, _flatten, _fc1, _relu3, _fc2, _relu4, _fc3 })
                m.Dispose();
        }
        base.Dispose(disposing);
    }
}
