using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.LocalTraining;

/// <summary>
/// In-place SGD with momentum, weight decay and the FedProx proximal term, on a replica's preallocated
/// buffers. It follows PyTorch's <c>torch.optim.SGD</c> (no dampening, no Nesterov):
/// d = g + λ·w + μ·(w − w_global); b ← m·b + d; w ← w − η·b. Starting from zeroed momentum buffers
/// gives PyTorch's first step (b = d), so resetting a replica between clients costs one fill.
/// </summary>
internal static class SgdStep
{
    /// <summary>Zeroes the momentum buffer and records the starting weights as the proximal anchor.</summary>
    public static void Reset(ModelReplica replica, bool needAnchor)
    {
        using var noGrad = no_grad();
        replica.Momentum.zero_();
        if (needAnchor) replica.Anchor.copy_(replica.Weights);
    }

    /// <summary>
    /// Applies one step using the gradients accumulated by backward, then zeroes them. It runs on the replica's flat
    /// stores, all parameters at once: element by element the same arithmetic as a step per parameter.
    /// </summary>
    public static void Apply(ModelReplica replica, LocalTrainingOptions o)
    {
        using var noGrad = no_grad();
        // Scalars made once per step and disposed here: an implicit double → Scalar per call leaves a native Scalar to
        // the finalizer thread, and a temporary whose last use is the native call itself may be finalized while that
        // call still reads it.
        using var minusLr = (-o.LearningRate).ToScalar();
        using var decay = o.WeightDecay.ToScalar();
        using var mu = o.ProximalMu.ToScalar();
        using var minusMu = (-o.ProximalMu).ToScalar();
        using var momentum = o.Momentum.ToScalar();
        // No parameter is skipped, as torch.optim.SGD skips one without a gradient: every parameter of the catalog's
        // models takes part in every forward, and the flat gradient store is always defined.
        var w = replica.Weights;
        var g = replica.Gradients;
        if (o.WeightDecay != 0) g.add_(w, alpha: decay);
        if (o.ProximalMu != 0)
        {
            g.add_(w, alpha: mu);
            g.add_(replica.Anchor, alpha: minusMu);
        }
        if (o.Momentum != 0)
        {
            var b = replica.Momentum;
            b.mul_(momentum).add_(g);
            w.add_(b, alpha: minusLr);
        }
        else
        {
            w.add_(g, alpha: minusLr);
        }
        g.zero_();
    }
}
