"""PyTorch reference for specs/water_bn.yaml as it reads the public CSV, which
../shared/reference/torch_reference.py (reading the seed's water_normalized.csv) does not cover:
the seed's water_bn model on water_potability.csv with the spec's preprocessing (rows with a
missing value dropped, min-max scaling fitted on the training split only), 20% held out, Adam
0.001, batch 16, 10 epochs. Prints one JSON line with the test accuracy.

    /tmp/torchenv/bin/python tools/reference/water_bn.py --data ../shared/data
"""
import argparse, csv, json, math, os

import torch
import torch.nn as nn
import torch.nn.init as init


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--split-seed", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    with open(os.path.join(a.data, "water", "water_potability.csv")) as f:
        rows = list(csv.reader(f))[1:]
    complete = [[float(x) for x in r] for r in rows if all(x.strip() != "" for x in r)]
    data = torch.tensor(complete, dtype=torch.float32)
    perm = torch.randperm(len(data), generator=torch.Generator().manual_seed(a.split_seed))
    k = int(round(len(data) * 0.2))
    test, train = data[perm[:k]], data[perm[k:]]
    lo, hi = train[:, :-1].min(0).values, train[:, :-1].max(0).values
    scale = lambda x: (x - lo) / (hi - lo)
    xtr, ytr, xte, yte = scale(train[:, :-1]), train[:, -1:], scale(test[:, :-1]), test[:, -1:]

    net = nn.Sequential(nn.Linear(9, 16), nn.BatchNorm1d(16), nn.ELU(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.ELU(),
                        nn.Linear(8, 1), nn.Sigmoid())
    init.kaiming_uniform_(net[0].weight)
    init.kaiming_uniform_(net[3].weight)
    init.kaiming_uniform_(net[6].weight, nonlinearity="sigmoid")
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    g = torch.Generator().manual_seed(0)
    for _ in range(a.epochs):
        net.train()
        order = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), 16):
            idx = order[i:i + 16]
            if len(idx) < 2:
                continue  # BatchNorm1d cannot train on one sample
            opt.zero_grad()
            loss = loss_fn(net(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        acc = ((net(xte) >= 0.5).float() == yte).float().mean().item()
    print(json.dumps({"workload": "water_bn", "train": len(xtr), "test": len(xte), "epochs": a.epochs,
                      "test_negative_share": round(1 - yte.mean().item(), 4),
                      "test_acc": round(acc, 4), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
