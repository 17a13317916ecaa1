using System.Runtime.CompilerServices;

// Tests check synthetic labels against the hidden device model, which is not public API.
[assembly: InternalsVisibleTo("FedActors.Training.Tests")]
