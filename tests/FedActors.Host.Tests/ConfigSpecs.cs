using FedActors.Host.Configuration;
using FedActors.Host.Settings;

namespace FedActors.Host.Tests;

public class ConfigSpecs
{
    [Fact]
    public void Load_must_prefer_set_over_file_over_reference()
    {
        using var dir = new TempDir();
        var file = dir.File("exp.conf", "fedactors.client.lr = 0.2\nfedactors.client.batch-size = 16\n");

        var config = FedActorsConfig.Load(file, ["fedactors.client.lr=0.3"]);
        var client = config.Settings.Run.Client;

        Assert.Equal(0.3, client.LearningRate);       // --set wins over the file
        Assert.Equal(16, client.BatchSize);           // the file wins over reference.conf
        Assert.Equal(1, client.Epochs);               // reference.conf default
    }

    [Fact]
    public void Load_must_let_the_later_set_win()
    {
        var config = FedActorsConfig.Load(null, ["fedactors.population.clients=5", "fedactors.population.clients=7"]);
        Assert.Equal(7, config.Settings.Population.Clients);
    }

    [Fact]
    public void Reference_defaults_must_read_as_documented()
    {
        var s = FedActorsConfig.Load(null, Array.Empty<string>()).Settings;
        Assert.Equal(42, s.Seed);
        Assert.Equal(42UL, s.Run.Seed);
        Assert.Equal(1000, s.Run.MaxServerSteps);
        Assert.Equal(0.85, s.Run.TargetAccuracy);
        Assert.False(s.Run.StopAtTarget);
        Assert.Equal("fashion-mnist", s.Data.Dataset);
        Assert.Equal("dirichlet", s.Data.Partition.Kind);
        Assert.Equal(0.5, s.Data.Partition.Alpha);
        Assert.Equal(2, s.Data.Partition.LabelsPerClient);
        Assert.False(s.Data.Normalize);
        Assert.Equal("simple-cnn", s.Run.ModelName);
        Assert.Equal(1e-5, s.Centralized.Sgd.WeightDecay);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), s.Trainers.EffectiveThreadsPerSlot);
        Assert.Equal(FedActors.Training.LocalTraining.TrainingEngine.Auto, s.Trainers.Engine);
        Assert.Null(s.Run.Client.MaxSteps);
        Assert.Equal(256L << 20, s.Data.Synthetic.CacheBytes);
    }

    [Fact]
    public void Set_null_must_disable_the_target_accuracy()
    {
        var config = FedActorsConfig.Load(null, ["fedactors.run.target-accuracy=null"]);
        Assert.Null(config.Settings.Run.TargetAccuracy);
    }

    [Fact]
    public void A_negative_seed_must_read_back_as_written()
    {
        var s = FedActorsConfig.Load(null, ["fedactors.seed=-5"]).Settings;
        Assert.Equal(-5, s.Seed);
        Assert.Equal(unchecked((ulong)-5L), s.Run.Seed);
    }

    [Fact]
    public void Set_must_keep_a_string_value_containing_equals_signs()
    {
        var config = FedActorsConfig.Load(null, ["fedactors.data.dir=/data/a=b c"]);
        Assert.Equal("/data/a=b c", config.Settings.Data.Dir);
    }

    [Theory]
    [InlineData("fedactors.client.lrr=0.1", "fedactors.client.lrr: unknown key")]
    [InlineData("fedactors.nope.x=1", "fedactors.nope: unknown key")]
    public void Unknown_keys_must_be_rejected_naming_the_key(string set, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => FedActorsConfig.Load(null, [set]));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Unknown_key_in_a_file_must_be_rejected_naming_the_key()
    {
        using var dir = new TempDir();
        var file = dir.File("typo.conf", "fedactors {\n  client {\n    learning-rate = 0.1\n  }\n}\n");
        var e = Assert.Throws<ConfigException>(() => FedActorsConfig.Load(file, Array.Empty<string>()));
        Assert.Contains("fedactors.client.learning-rate: unknown key", e.Message);
        Assert.Contains("lr", e.Message); // lists the valid keys
    }

    [Theory]
    [InlineData("fedactors.client.lr=abc", "fedactors.client.lr must be a number, got 'abc'")]
    [InlineData("fedactors.client.lr=0", "fedactors.client.lr must be > 0, got 0")]
    [InlineData("fedactors.client.momentum=1", "fedactors.client.momentum must be < 1, got 1")]
    [InlineData("fedactors.client.batch-size=2.5", "fedactors.client.batch-size must be an integer, got 2.5")]
    [InlineData("fedactors.run.target-accuracy=1.5", "fedactors.run.target-accuracy must be ≤ 1, got 1.5")]
    [InlineData("fedactors.model.name=resnet", "fedactors.model.name: unknown 'resnet'; valid values are logreg, mlp, simple-cnn, cnn")]
    [InlineData("fedactors.data.allow-download=maybe", "fedactors.data.allow-download must be true or false, got 'maybe'")]
    [InlineData("fedactors.trainers.threads-per-slot=-1", "fedactors.trainers.threads-per-slot must be ≥ 0, got -1")]
    [InlineData("fedactors.trainers.queue-capacity=-1", "fedactors.trainers.queue-capacity must be ≥ 0, got -1")]
    [InlineData("fedactors.run.stop-at-target=maybe", "fedactors.run.stop-at-target must be true or false, got 'maybe'")]
    [InlineData("fedactors.centralized.lr-decay=0", "fedactors.centralized.lr-decay must be > 0, got 0")]
    [InlineData("fedactors.client.lr=null", "fedactors.client.lr must be a number, got null")]
    [InlineData("fedactors.client=3", "fedactors.client: expected a section { ... }, got '3'")]
    [InlineData("fedactors.client.local-steps=0", "fedactors.client.local-steps must be ≥ 1, got 0")]
    [InlineData("fedactors.trainers.engine=gpu", "fedactors.trainers.engine: unknown 'gpu'; valid values are auto, torch, managed")]
    [InlineData("fedactors.data.synthetic.cache-mb=-1", "fedactors.data.synthetic.cache-mb must be ≥ 0, got -1")]
    [InlineData("fedactors.trainers.engine=managed", "fedactors.trainers.engine = managed trains logreg only, not model 'simple-cnn'; use auto or torch")]
    [InlineData("fedactors.server.signguard-upper-norm=0.05", "fedactors.server.signguard-upper-norm (0.05) must be above signguard-lower-norm (0.1)")]
    [InlineData("fedactors.server.dnc-filter-fraction=0", "fedactors.server.dnc-filter-fraction must be > 0, got 0")]
    [InlineData("fedactors.data.partition.labels-per-client=0", "fedactors.data.partition.labels-per-client must be ≥ 1, got 0")]
    [InlineData("fedactors.simulation.device.stragglers.fraction=0.9", "fedactors.simulation.device.stragglers: a straggler doing partial work trains 1 .. local-epochs - 1 epochs, so fedactors.client.local-epochs must be ≥ 2, got 1; or use stragglers.mode = drop")]
    [InlineData("fedactors.simulation.device.stragglers.mode=late", "fedactors.simulation.device.stragglers.mode: unknown 'late'; valid values are partial, drop")]
    [InlineData("fedactors.data.partition.feature-noise=-0.1", "fedactors.data.partition.feature-noise must be ≥ 0, got -0.1")]
    [InlineData("fedactors.data.normalize=yes please", "fedactors.data.normalize must be true or false, got 'yes please'")]
    public void Bad_values_must_be_rejected_naming_key_and_value(string set, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => FedActorsConfig.Load(null, [set]));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Normalizing_synthetic_features_must_be_refused_naming_the_key()
    {
        var e = Assert.Throws<ConfigException>(() => FedActorsConfig.Load(null, ["fedactors.data.dataset=synthetic", "fedactors.data.normalize=true"]));
        Assert.StartsWith("fedactors.data.normalize: applies to image datasets", e.Message);
        e = Assert.Throws<ConfigException>(() => FedActorsConfig.Load(null, ["fedactors.data.dataset=synthetic", "fedactors.data.partition.feature-noise=0.1"]));
        Assert.StartsWith("fedactors.data.partition.feature-noise: applies to image datasets", e.Message);
    }

    [Fact]
    public void Missing_file_must_be_a_config_error_naming_the_file()
    {
        var e = Assert.Throws<ConfigException>(() => FedActorsConfig.Load("/nonexistent/x.conf", Array.Empty<string>()));
        Assert.StartsWith("/nonexistent/x.conf: cannot read config file", e.Message);
    }

    [Theory]
    [InlineData("fedactors {\n  client { lr = 0.1 }\n", "line 1: '{' is never closed")]
    [InlineData("fedactors.client.lr = 0.1 }\n", "line 1: unexpected '}'")]
    [InlineData("fedactors.data.dir = \"abc\n", "line 1: unterminated string")]
    [InlineData("fedactors.client.lr = ${nothing}\n", "HOCON syntax error")]
    public void Syntax_errors_must_name_the_file(string text, string expected)
    {
        using var dir = new TempDir();
        var file = dir.File("bad.conf", text);
        var e = Assert.Throws<ConfigException>(() => FedActorsConfig.Load(file, Array.Empty<string>()));
        Assert.StartsWith(file + ":", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Keys_outside_fedactors_must_be_left_to_their_owners()
    {
        var config = FedActorsConfig.Load(null, ["akka.loglevel=DEBUG"]);
        Assert.Equal("DEBUG", config.Hocon.GetString("akka.loglevel"));
    }

    [Fact]
    public void Rendered_config_must_load_back_to_the_same_values()
    {
        using var dir = new TempDir();
        var config = FedActorsConfig.Load(null,
            ["fedactors.run.target-accuracy=null", "fedactors.data.dir=\"/x y/z\"", "fedactors.client.lr=0.125", "fedactors.data.partition.report=\"p.csv\""]);
        var text = FedActorsConfig.Render(config.Hocon);
        var file = dir.File("run.conf", text);

        var reloaded = FedActorsConfig.Load(file, Array.Empty<string>());

        Assert.Equal(text, FedActorsConfig.Render(reloaded.Hocon));
        Assert.StartsWith("fedactors {\n  seed = 42\n  run {\n", text);
        Assert.Contains("    target-accuracy = null\n", text);
        Assert.Contains("    dir = \"/x y/z\"\n", text);
        Assert.Equal(config.Settings, reloaded.Settings);
    }
}

public class HoconRendererSpecs
{
    [Fact]
    public void Lists_and_sections_in_lists_must_render_so_they_parse_back()
    {
        var source = Akka.Configuration.ConfigurationFactory.ParseString(
            "s { xs = [1, 2], ps = [{ name = \"a b\", w = 0.5 }, { name = c, w = null }] }");
        var text = HoconRenderer.Render("s", source.GetValue("s"), order: null);

        var back = Akka.Configuration.ConfigurationFactory.ParseString(text);

        Assert.Equal("s {\n  xs = [1, 2]\n  ps = [{ name = \"a b\", w = 0.5 }, { name = \"c\", w = null }]\n}\n", text);
        Assert.Equal([1, 2], back.GetIntList("s.xs"));
        Assert.Equal("a b", back.GetValue("s.ps").GetArray()[0].GetObject().Items["name"].GetString());
    }
}
