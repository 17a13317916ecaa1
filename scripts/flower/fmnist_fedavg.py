"""The Flower side of docs/reproductions.md's comparison: config/flower-tutorial.conf's setup on Flower 1.6.

10 clients on a Dirichlet(0.5) label split of Fashion-MNIST, FedAvg over all 10 every round, 1 local epoch, batch 64,
SGD lr 0.01 with momentum 0.9, 20 rounds, NIID-Bench's simple CNN, pixels normalized with (0.2860, 0.3530); the global
model is evaluated on the 10,000 test images after every round. Prints the accuracy per round and the wall time.

    python3 -m venv .venv && .venv/bin/pip install "flwr[simulation]==1.6.0" torch torchvision numpy
    .venv/bin/python scripts/flower/fmnist_fedavg.py --seed 0

Not run by this repository's tests or CI: the development machine has no route to PyPI.
"""
import argparse
import time
from collections import OrderedDict

import flwr as fl
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

CLIENTS, ROUNDS, ALPHA, BATCH, LR, MOMENTUM = 10, 20, 0.5, 64, 0.01, 0.9


class SimpleCnn(nn.Module):
    """conv 6@5x5, pool, conv 16@5x5, pool, fc 120, 84, 10 (NIID-Bench's simple-cnn for 28x28 inputs)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 4 * 4, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def dirichlet_split(labels, clients, alpha, rng, min_size=10):
    """NIID-Bench's noniid-labeldir: per class, Dirichlet(alpha) proportions over clients, redrawn until every client
    holds at least min_size samples (what FedActors' dirichlet partitioner does with min-samples = 10)."""
    n = len(labels)
    while True:
        parts = [[] for _ in range(clients)]
        for k in range(10):
            idx = np.where(labels == k)[0]
            rng.shuffle(idx)
            p = rng.dirichlet(np.repeat(alpha, clients))
            p = np.array([q * (len(part) < n / clients) for q, part in zip(p, parts)])
            p = p / p.sum()
            cuts = (np.cumsum(p) * len(idx)).astype(int)[:-1]
            for part, chunk in zip(parts, np.split(idx, cuts)):
                part.extend(chunk.tolist())
        if min(len(part) for part in parts) >= min_size:
            return parts


def get_weights(model):
    return [v.cpu().numpy() for v in model.state_dict().values()]


def set_weights(model, weights):
    model.load_state_dict(OrderedDict((k, torch.tensor(v)) for k, v in zip(model.state_dict().keys(), weights)))


class Client(fl.client.NumPyClient):
    def __init__(self, data):
        self.model, self.data = SimpleCnn(), data

    def get_parameters(self, config):
        return get_weights(self.model)

    def fit(self, parameters, config):
        set_weights(self.model, parameters)
        optimizer = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)
        self.model.train()
        for x, y in DataLoader(self.data, batch_size=BATCH, shuffle=True):
            optimizer.zero_grad()
            F.cross_entropy(self.model(x), y).backward()
            optimizer.step()
        return get_weights(self.model), len(self.data), {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default="./data")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))])
    train = datasets.FashionMNIST(args.data, train=True, download=True, transform=normalize)
    test = datasets.FashionMNIST(args.data, train=False, download=True, transform=normalize)
    parts = dirichlet_split(train.targets.numpy(), CLIENTS, ALPHA, np.random.default_rng(args.seed))
    test_loader = DataLoader(test, batch_size=1000)

    def evaluate(server_round, parameters, config):
        model = SimpleCnn()
        set_weights(model, parameters)
        model.eval()
        correct, loss = 0, 0.0
        with torch.no_grad():
            for x, y in test_loader:
                out = model(x)
                loss += F.cross_entropy(out, y, reduction="sum").item()
                correct += (out.argmax(1) == y).sum().item()
        print(f"round {server_round}: accuracy {correct / len(test):.4f}", flush=True)
        return loss / len(test), {"accuracy": correct / len(test)}

    strategy = fl.server.strategy.FedAvg(
        fraction_fit=1.0, fraction_evaluate=0.0, min_fit_clients=CLIENTS, min_available_clients=CLIENTS,
        evaluate_fn=evaluate, initial_parameters=fl.common.ndarrays_to_parameters(get_weights(SimpleCnn())))
    start = time.perf_counter()
    fl.simulation.start_simulation(
        client_fn=lambda cid: Client(Subset(train, parts[int(cid)])), num_clients=CLIENTS,
        config=fl.server.ServerConfig(num_rounds=ROUNDS), strategy=strategy, client_resources={"num_cpus": 1})
    print(f"wall time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
