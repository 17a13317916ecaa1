using FedActors.Host.Cli;
using FedActors.Host.Progress;

namespace FedActors.Host.Tests;

public class ProgressSpecs
{
    [Fact]
    public void Plain_progress_must_write_one_line_per_report()
    {
        var output = new StringWriter();
        using (var progress = new PlainRunProgress(output))
        {
            progress.Start(100, "fedbuff");
            progress.Report(10, 0.5, 1.25, "staleness 2.0");
            progress.Report(20);
            progress.Complete("accuracy 0.9");
        }

        Assert.Equal([
            "fedbuff: started (100 steps)",
            "fedbuff: step 10/100 accuracy 0.5000 loss 1.2500 staleness 2.0",
            "fedbuff: step 20/100",
            "fedbuff: completed: accuracy 0.9",
        ], output.ToString().TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Non_interactive_or_plain_contexts_must_get_plain_progress()
    {
        var pipe = new CommandContext(TextWriter.Null, TextWriter.Null, "/", IsInteractive: false, TimeProvider.System);
        var terminal = pipe with { IsInteractive = true };
        Assert.IsType<PlainRunProgress>(RunProgress.Create(pipe, plain: false));
        Assert.IsType<PlainRunProgress>(RunProgress.Create(terminal, plain: true));
    }
}
