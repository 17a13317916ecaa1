using FedActors.Host.Settings;
using FedActors.Tests.Shared;

// fedactors with the test-only coordinate-median strategy and sign-flip transform.
return await FedActors.Host.Program.RunAsync(args, new Extensions(CoordinateMedianSettings.Catalog, SignFlipSettings.Catalog));
