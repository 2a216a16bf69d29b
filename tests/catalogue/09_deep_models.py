"""Catalogue for assignment 09_deep_models: typical wrong answers and correct alternatives.

Each WRONG entry edits the instructor solution of one answer cell (``replace``: pairs of
old -> new text, each old text must occur in the solution) or gives the whole cell (``code``);
``fails`` names the test cell that must lose points. Each CORRECT entry must get full points.
"""

WRONG = [
    # --- make_grid
    dict(cell="make_grid", name="zip instead of product", fails="test_make_grid",
         replace=[("itertools.product(*factors.values())", "zip(*factors.values())")]),
    dict(cell="make_grid", name="one dict reused for every combination", fails="test_make_grid", code='''
def make_grid(**factors):
    grid = []
    config = {}
    for values in itertools.product(*factors.values()):
        for name, value in zip(factors, values):
            config[name] = value
        grid.append(config)
    return grid
'''),
    dict(cell="make_grid", name="factor names hard-coded", fails="test_make_grid", code='''
def make_grid(**factors):
    grid = []
    for depth in factors.get("depth", [None]):
        for batch_norm in factors.get("batch_norm", [None]):
            grid.append({"depth": depth, "batch_norm": batch_norm})
    return grid
'''),
    dict(cell="make_grid", name="tuples instead of dicts", fails="test_make_grid",
         replace=[("return [dict(zip(names, values)) for values in itertools.product(*factors.values())]",
                   "return list(itertools.product(*factors.values()))")]),
    dict(cell="make_grid", name="only the first two factors combined", fails="test_make_grid", code='''
def make_grid(**factors):
    names = list(factors)
    first, second = names[0], names[-1]
    return [{first: a, second: b} for a in factors[first] for b in factors[second]]
'''),
    # --- run_experiments
    dict(cell="run_experiments", name="first epoch instead of the last", fails="test_run_experiments",
         replace=[('history["train_loss"].iloc[-1]', 'history["train_loss"].iloc[0]'),
                  ('history["test_acc"].iloc[-1]', 'history["test_acc"].iloc[0]')]),
    dict(cell="run_experiments", name="mean test accuracy instead of the last", fails="test_run_experiments",
         replace=[('"test_acc": history["test_acc"].iloc[-1]', '"test_acc": history["test_acc"].mean()')]),
    dict(cell="run_experiments", name="seconds of the last epoch only", fails="test_run_experiments",
         replace=[('history["seconds"].sum()', 'history["seconds"].iloc[-1]')]),
    dict(cell="run_experiments", name="best accuracy taken from train_acc", fails="test_run_experiments",
         replace=[('history["test_acc"].max()', 'history["train_acc"].max()')]),
    dict(cell="run_experiments", name="results written into the caller's config dicts",
         fails="test_run_experiments", code='''
def run_experiments(configs, train_fn):
    for config in configs:
        history = train_fn(config)
        config.update({"train_loss": history["train_loss"].iloc[-1],
                       "test_acc": history["test_acc"].iloc[-1],
                       "best_test_acc": history["test_acc"].max(),
                       "seconds": history["seconds"].sum()})
    return pd.DataFrame(configs)
'''),
    dict(cell="run_experiments", name="train_fn called once per column", fails="test_run_experiments", code='''
def run_experiments(configs, train_fn):
    rows = []
    for config in configs:
        rows.append({**config,
                     "train_loss": train_fn(config)["train_loss"].iloc[-1],
                     "test_acc": train_fn(config)["test_acc"].iloc[-1],
                     "best_test_acc": train_fn(config)["test_acc"].max(),
                     "seconds": train_fn(config)["seconds"].sum()})
    return pd.DataFrame(rows)
'''),
    dict(cell="run_experiments", name="one-row frames concatenated without ignore_index",
         fails="test_run_experiments", code='''
def run_experiments(configs, train_fn):
    frames = []
    for config in configs:
        history = train_fn(config)
        frames.append(pd.DataFrame([{**config,
                                     "train_loss": history["train_loss"].iloc[-1],
                                     "test_acc": history["test_acc"].iloc[-1],
                                     "best_test_acc": history["test_acc"].max(),
                                     "seconds": history["seconds"].sum()}]))
    return pd.concat(frames)
'''),
    dict(cell="run_experiments", name="returns the list of rows, not a DataFrame", fails="test_run_experiments",
         replace=[("return pd.DataFrame(rows)", "return rows")]),
    # --- deepest_trainable
    dict(cell="deepest_trainable", name="strictly above the threshold", fails="test_deepest_trainable",
         replace=[('results["test_acc"] >= threshold', 'results["test_acc"] > threshold')]),
    dict(cell="deepest_trainable", name="threshold ignored (deepest run overall)", fails="test_deepest_trainable",
         replace=[('good = results[results["test_acc"] >= threshold]', "good = results")]),
    dict(cell="deepest_trainable", name="most accurate qualifying run, depth ignored",
         fails="test_deepest_trainable",
         replace=[('deepest = good[good["depth"] == good["depth"].max()]', "deepest = good")]),
    dict(cell="deepest_trainable", name="first row at the deepest depth, not the most accurate",
         fails="test_deepest_trainable",
         replace=[('return deepest.loc[deepest["test_acc"].idxmax()]', "return deepest.iloc[0]")]),
    dict(cell="deepest_trainable", name="index label used as a position", fails="test_deepest_trainable",
         replace=[('return deepest.loc[deepest["test_acc"].idxmax()]',
                   'return results.iloc[deepest["test_acc"].idxmax()]')]),
    dict(cell="deepest_trainable", name="crashes when no run reaches the threshold",
         fails="test_deepest_trainable",
         replace=[("    if good.empty:\n        return None\n", "")]),
    # --- best_optimizer_per_depth
    dict(cell="best_optimizer_per_depth", name="best single run (max) instead of the mean",
         fails="test_best_optimizer_per_depth",
         replace=[('["test_acc"].mean()', '["test_acc"].max()')]),
    dict(cell="best_optimizer_per_depth", name="one overall winner repeated for every depth",
         fails="test_best_optimizer_per_depth", code='''
def best_optimizer_per_depth(results):
    winner = results.groupby("optimizer")["test_acc"].mean().idxmax()
    depths = sorted(results["depth"].unique())
    return pd.Series([winner] * len(depths), index=depths)
'''),
    dict(cell="best_optimizer_per_depth", name="returns the best accuracies, not the names",
         fails="test_best_optimizer_per_depth",
         replace=[("return means.idxmax(axis=1)", "return means.max(axis=1)")]),
    dict(cell="best_optimizer_per_depth", name="worst optimizer (idxmin)", fails="test_best_optimizer_per_depth",
         replace=[("return means.idxmax(axis=1)", "return means.idxmin(axis=1)")]),
    dict(cell="best_optimizer_per_depth", name="depths in order of appearance", fails="test_best_optimizer_per_depth",
         code='''
def best_optimizer_per_depth(results):
    names = {}
    for depth in results["depth"].unique():
        part = results[results["depth"] == depth]
        names[depth] = part.groupby("optimizer")["test_acc"].mean().idxmax()
    return pd.Series(names)
'''),
    # --- accuracy_drop_without_bn
    dict(cell="accuracy_drop_without_bn", name="sign reversed (without minus with)",
         fails="test_accuracy_drop_without_bn",
         replace=[('pairs["test_acc_bn"] - pairs["test_acc_plain"]', 'pairs["test_acc_plain"] - pairs["test_acc_bn"]')]),
    dict(cell="accuracy_drop_without_bn", name="difference of the group means, no pairing",
         fails="test_accuracy_drop_without_bn", code='''
def accuracy_drop_without_bn(results):
    means = results.groupby(["depth", "batch_norm"])["test_acc"].mean().unstack("batch_norm")
    return means[True] - means[False]
'''),
    dict(cell="accuracy_drop_without_bn", name="twins matched on depth and optimizer only",
         fails="test_accuracy_drop_without_bn",
         replace=[('keys = ["depth", "optimizer", "init"]', 'keys = ["depth", "optimizer"]')]),
    dict(cell="accuracy_drop_without_bn", name="twins matched on every other column",
         fails="test_accuracy_drop_without_bn", code='''
def accuracy_drop_without_bn(results):
    keys = [c for c in results.columns if c not in ("batch_norm", "test_acc")]
    with_bn = results[results["batch_norm"]]
    without_bn = results[~results["batch_norm"]]
    pairs = with_bn.merge(without_bn, on=keys, suffixes=("_bn", "_plain"))
    pairs["drop"] = pairs["test_acc_bn"] - pairs["test_acc_plain"]
    return pairs.groupby("depth")["drop"].mean()
'''),
    dict(cell="accuracy_drop_without_bn", name="ratio instead of difference", fails="test_accuracy_drop_without_bn",
         replace=[('pairs["test_acc_bn"] - pairs["test_acc_plain"]', 'pairs["test_acc_bn"] / pairs["test_acc_plain"]')]),
    # --- NaN after training (issue #18)
    dict(cell="deepest_trainable", name="loop that skips rows below the threshold (a NaN run kept)",
         fails="test_deepest_trainable", code='''
def deepest_trainable(results, threshold):
    best = None
    for _, row in results.iterrows():
        if row["test_acc"] < threshold:
            continue
        if best is None or (row["depth"], row["test_acc"]) > (best["depth"], best["test_acc"]):
            best = row
    return best
'''),
    dict(cell="deepest_trainable", name="keeps the rows not below the threshold (NaN rows kept)",
         fails="test_deepest_trainable",
         replace=[('good = results[results["test_acc"] >= threshold]',
                   'good = results[~(results["test_acc"] < threshold)]')]),
    # --- seed_summary, difference_in_standard_errors (issue #21: spread over seeds)
    dict(cell="seed_summary", name="population standard deviation (ddof=0)", fails="test_seed_summary",
         code="""
def seed_summary(results, by):
    groups = results.groupby(list(by))["test_acc"]
    return pd.DataFrame({"mean": groups.mean(), "std": groups.std(ddof=0), "runs": groups.size()})
"""),
    dict(cell="seed_summary", name="spread of every column, seed included", fails="test_seed_summary",
         code="""
def seed_summary(results, by):
    groups = results.groupby(list(by))
    return pd.DataFrame({"mean": groups["test_acc"].mean(), "std": groups.std()["seed"],
                         "runs": groups.size()})
"""),
    dict(cell="seed_summary", name="grouped by the seed as well", fails="test_seed_summary",
         code="""
def seed_summary(results, by):
    groups = results.groupby(list(by) + ["seed"])["test_acc"]
    return groups.agg(["mean", "std", "count"]).rename(columns={"count": "runs"})
"""),
    dict(cell="seed_summary", name="standard error reported as the std", fails="test_seed_summary",
         code="""
def seed_summary(results, by):
    groups = results.groupby(list(by))["test_acc"]
    return pd.DataFrame({"mean": groups.mean(), "std": groups.std() / np.sqrt(groups.size()),
                         "runs": groups.size()})
"""),
    dict(cell="seed_summary", name="index reset to columns", fails="test_seed_summary",
         replace=[('columns={"count": "runs"})', 'columns={"count": "runs"}).reset_index()')]),
    dict(cell="seed_summary", name="by hard-coded as depth and activation", fails="test_seed_summary",
         replace=[("results.groupby(list(by))", 'results.groupby(["depth", "activation"])')]),
    dict(cell="seed_summary", name="runs counted over the whole table", fails="test_seed_summary",
         code="""
def seed_summary(results, by):
    out = results.groupby(list(by))["test_acc"].agg(["mean", "std"])
    out["runs"] = len(results)
    return out
"""),
    dict(cell="difference_in_standard_errors", name="standard deviations added, not standard errors",
         fails="test_difference_in_standard_errors",
         replace=[('spread = np.sqrt(row_a["std"] ** 2 / row_a["runs"] + row_b["std"] ** 2 / row_b["runs"])',
                   'spread = row_a["std"] + row_b["std"]')]),
    dict(cell="difference_in_standard_errors", name="square root of each term, added", fails="test_difference_in_standard_errors",
         replace=[('spread = np.sqrt(row_a["std"] ** 2 / row_a["runs"] + row_b["std"] ** 2 / row_b["runs"])',
                   'spread = row_a["std"] / np.sqrt(row_a["runs"]) + row_b["std"] / np.sqrt(row_b["runs"])')]),
    dict(cell="difference_in_standard_errors", name="std not squared", fails="test_difference_in_standard_errors",
         replace=[('spread = np.sqrt(row_a["std"] ** 2 / row_a["runs"] + row_b["std"] ** 2 / row_b["runs"])',
                   'spread = np.sqrt(row_a["std"] / row_a["runs"] + row_b["std"] / row_b["runs"])')]),
    dict(cell="difference_in_standard_errors", name="absolute value (the sign lost)", fails="test_difference_in_standard_errors",
         replace=[('return float((row_a["mean"] - row_b["mean"]) / spread)',
                   'return float(abs(row_a["mean"] - row_b["mean"]) / spread)')]),
    dict(cell="difference_in_standard_errors", name="one run count for both (a's)", fails="test_difference_in_standard_errors",
         replace=[('spread = np.sqrt(row_a["std"] ** 2 / row_a["runs"] + row_b["std"] ** 2 / row_b["runs"])',
                   'spread = np.sqrt((row_a["std"] ** 2 + row_b["std"] ** 2) / row_a["runs"])')]),
]

CORRECT = [
    dict(cell="seed_summary", name="loop over groups with NumPy", code="""
def seed_summary(results, by):
    by = list(by)
    rows, labels = [], []
    for label, group in results.groupby(by):
        acc = group["test_acc"].to_numpy(float)
        rows.append({"mean": acc.mean(), "std": acc.std(ddof=1), "runs": len(acc)})
        labels.append(label)
    index = (pd.MultiIndex.from_tuples(labels, names=by) if len(by) > 1
             else pd.Index([l[0] if isinstance(l, tuple) else l for l in labels], name=by[0]))
    return pd.DataFrame(rows, index=index)
"""),
    dict(cell="seed_summary", name="pivot_table with named aggregations", code="""
def seed_summary(results, by):
    return results.pivot_table(index=list(by), values="test_acc",
                               aggfunc=["mean", "std", "count"]).droplevel(1, axis=1).rename(
        columns={"count": "runs"})
"""),
    dict(cell="difference_in_standard_errors", name="variances first, standard error by hand", code="""
def difference_in_standard_errors(summary, a, b):
    var_a = summary.loc[a, "std"] ** 2 / summary.loc[a, "runs"]
    var_b = summary.loc[b, "std"] ** 2 / summary.loc[b, "runs"]
    return float(summary.loc[a, "mean"] - summary.loc[b, "mean"]) / float(np.sqrt(var_a + var_b))
"""),
    dict(cell="difference_in_standard_errors", name="np.hypot of the two standard errors", code="""
def difference_in_standard_errors(summary, a, b):
    se_a = summary.loc[a, "std"] / np.sqrt(summary.loc[a, "runs"])
    se_b = summary.loc[b, "std"] / np.sqrt(summary.loc[b, "runs"])
    return float((summary.loc[a, "mean"] - summary.loc[b, "mean"]) / np.hypot(se_a, se_b))
"""),
    dict(cell="make_grid", name="recursive construction", code='''
def make_grid(**factors):
    if not factors:
        return [{}]
    name, *rest = list(factors)
    tails = make_grid(**{key: factors[key] for key in rest})
    return [{name: value, **tail} for value in factors[name] for tail in tails]
'''),
    dict(cell="make_grid", name="grid grown factor by factor with copies", code='''
def make_grid(**factors):
    grid = [{}]
    for name, values in factors.items():
        grid = [dict(config, **{name: value}) for config in grid for value in values]
    return grid
'''),
    dict(cell="run_experiments", name="pd.concat of Series with ignore_index, progress printed", code='''
def run_experiments(configs, train_fn):
    rows = []
    for i, config in enumerate(configs):
        print(f"run {i + 1}/{len(configs)}: {config}")
        history = train_fn(config)
        last = history.iloc[-1]
        summary = {"train_loss": last["train_loss"], "test_acc": last["test_acc"],
                   "best_test_acc": history["test_acc"].max(),
                   "seconds": history["seconds"].sum()}
        rows.append(pd.Series({**config, **summary}))
    return pd.concat(rows, axis=1, ignore_index=True).T.infer_objects()
'''),
    dict(cell="run_experiments", name="config and summary frames joined side by side", code='''
def run_experiments(configs, train_fn):
    histories = [train_fn(config) for config in configs]
    summary = pd.DataFrame({
        "train_loss": [h["train_loss"].to_numpy()[-1] for h in histories],
        "test_acc": [h["test_acc"].to_numpy()[-1] for h in histories],
        "best_test_acc": [np.max(h["test_acc"].to_numpy()) for h in histories],
        "seconds": [float(np.sum(h["seconds"])) for h in histories],
    })
    return pd.concat([pd.DataFrame(configs), summary], axis=1)
'''),
    dict(cell="deepest_trainable", name="sort by depth then accuracy, take the last", code='''
def deepest_trainable(results, threshold):
    good = results.loc[results.test_acc >= threshold]
    if len(good) == 0:
        return None
    return good.sort_values(["depth", "test_acc"]).iloc[-1]
'''),
    dict(cell="deepest_trainable", name="loop over the rows", code='''
def deepest_trainable(results, threshold):
    best = None
    for _, row in results.iterrows():
        if not row["test_acc"] >= threshold:   # (a NaN run reaches no threshold)
            continue
        if best is None or (row["depth"], row["test_acc"]) > (best["depth"], best["test_acc"]):
            best = row
    return best
'''),
    dict(cell="best_optimizer_per_depth", name="pivot_table and idxmax", code='''
def best_optimizer_per_depth(results):
    table = results.pivot_table(index="depth", columns="optimizer", values="test_acc", aggfunc="mean")
    return table.idxmax(axis=1).sort_index()
'''),
    dict(cell="best_optimizer_per_depth", name="loop over sorted depths", code='''
def best_optimizer_per_depth(results):
    depths = sorted(set(results["depth"]))
    names = []
    for depth in depths:
        scores = {}
        for optimizer in set(results["optimizer"]):
            sel = results[(results["depth"] == depth) & (results["optimizer"] == optimizer)]
            if len(sel):
                scores[optimizer] = sel["test_acc"].mean()
        names.append(max(scores, key=scores.get))
    return pd.Series(names, index=depths)
'''),
    dict(cell="accuracy_drop_without_bn", name="pivot_table, NaN pairs dropped", code='''
def accuracy_drop_without_bn(results):
    table = results.pivot_table(index=["depth", "optimizer", "init"], columns="batch_norm",
                                values="test_acc")
    drop = (table[True] - table[False]).dropna()
    return drop.groupby(level="depth").mean()
'''),
    dict(cell="accuracy_drop_without_bn", name="dictionary lookup of twins", code='''
def accuracy_drop_without_bn(results):
    plain = {}
    for _, row in results.iterrows():
        if not row["batch_norm"]:
            plain[(row["depth"], row["optimizer"], row["init"])] = row["test_acc"]
    drops = {}
    for _, row in results.iterrows():
        key = (row["depth"], row["optimizer"], row["init"])
        if row["batch_norm"] and key in plain:
            drops.setdefault(row["depth"], []).append(row["test_acc"] - plain[key])
    depths = sorted(drops)
    return pd.Series([float(np.mean(drops[d])) for d in depths], index=depths)
'''),
]
