using FedActors.Host.Cli;

namespace FedActors.Host.Tests;

public class CommandLineAppSpecs
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args) =>
        await Run(new CommandLineApp(Program.Commands()), args);

    private static async Task<(int Code, string Out, string Err)> Run(CommandLineApp app, string[] args, CancellationToken ct = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var ctx = new CommandContext(output, error, Environment.CurrentDirectory, IsInteractive: false, TimeProvider.System);
        var code = await app.RunAsync(ctx, args, ct);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_must_list_every_command_and_exit_0()
    {
        var (code, output, _) = await Run("--help");
        Assert.Equal(0, code);
        foreach (var command in Program.Commands()) Assert.Contains(command.Name, output);
    }

    [Fact]
    public async Task Every_command_must_answer_help()
    {
        foreach (var command in Program.Commands())
        {
            var (code, output, err) = await Run(command.Name, "--help");
            Assert.Equal(0, code);
            Assert.StartsWith($"Usage: fedactors {command.Name}", output);
            Assert.Empty(err);
        }
    }

    [Theory]
    [InlineData(new string[0], "fedactors: no command given")]
    [InlineData(new[] { "bogus" }, "fedactors: unknown command 'bogus'")]
    [InlineData(new[] { "--bogus" }, "fedactors: unknown option '--bogus'")]
    [InlineData(new[] { "config", "--bogus" }, "fedactors config: unknown option '--bogus'")]
    [InlineData(new[] { "config", "extra" }, "fedactors config: unexpected argument 'extra'")]
    [InlineData(new[] { "config", "--out", "x" }, "fedactors config: unknown option '--out'")]
    public async Task Usage_errors_must_exit_2_with_one_line(string[] args, string message)
    {
        var (code, output, err) = await Run(args);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith(message, err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Config_errors_must_exit_1_with_the_message_and_no_stack_trace()
    {
        var (code, output, err) = await Run("config", "--set", "fedactors.client.lr=abc");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Equal("fedactors config: fedactors.client.lr must be a number, got 'abc'\n", err);
    }

    [Fact]
    public async Task Config_must_print_the_effective_section()
    {
        var (code, output, _) = await Run("config", "--set", "fedactors.client.lr=0.25", "--data-dir", "/d");
        Assert.Equal(0, code);
        Assert.StartsWith("fedactors {", output);
        Assert.Contains("    lr = 0.25\n", output);
        Assert.Contains("    dir = \"/d\"\n", output);
    }

    [Fact]
    public async Task Cancellation_must_exit_130_and_bugs_must_exit_70()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var app = new CommandLineApp([new ThrowingCommand("wait", new OperationCanceledException(cts.Token)),
            new ThrowingCommand("bug", new InvalidOperationException("oops")),
            new ThrowingCommand("io", new FileNotFoundException("data file missing"))]);

        Assert.Equal(130, (await Run(app, ["wait"], cts.Token)).Code);
        var bug = await Run(app, ["bug"]);
        Assert.Equal(70, bug.Code);
        Assert.Contains("internal error", bug.Err);
        var io = await Run(app, ["io"]);
        Assert.Equal((1, "fedactors io: data file missing\n"), (io.Code, io.Err));
    }

    [Fact]
    public void Duplicate_command_names_must_be_refused()
    {
        Assert.Throws<ArgumentException>(() => new CommandLineApp([new ThrowingCommand("x", new Exception()), new ThrowingCommand("x", new Exception())]));
    }

    private sealed class ThrowingCommand(string name, Exception error) : ICommand
    {
        public string Name => name;
        public string Summary => "throws";
        public string Usage => $"Usage: fedactors {name}\n";
        public Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct) => Task.FromException<int>(error);
    }
}
