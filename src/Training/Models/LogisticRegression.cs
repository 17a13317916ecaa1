using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Models;

/// <summary>Multinomial logistic regression: one linear layer on the flattened input.</summary>
public sealed class LogisticRegression : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Flatten _flatten = nn.Flatten();
    private readonly TorchSharp.Modules.Linear _fc;

    /// <summary>Creates the model for <paramref name="inputs"/> features and <paramref name="classes"/> classes.</summary>
    public LogisticRegression(int inputs, int classes) : base(nameof(LogisticRegression))
    {
        _fc = nn.Linear(inputs, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => _fc.call(_flatten.call(input));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _flatten.Dispose();
            _fc.Dispose();
        }
        base.Dispose(disposing);
    }
}
