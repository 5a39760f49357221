"""The matching engine: volunteers to needs, hard constraints first, then an exact optimum.

Pure numpy/scipy, no Django: `services.run_matching` turns rows into a `Pool` and a `NeedSet`,
the benchmark (`bench/matching.py`) generates them.

The problem. Every volunteer gets at most one new proposal per run; a need with c open places
takes at most c volunteers. Among the pairs that pass every hard constraint (age, VOG,
availability, languages, distance, remaining budget, open places, not declined before) we
maximise the total fit: a transportation problem (min-cost flow), totally unimodular, so its
optimum is integral and the fit scores are integer points.

How it is solved exactly and fast.
1. Every pair is checked and scored in vectorised chunks; the scores are kept as one int16
   matrix (20,000 x 5,000 = 200 MB), infeasible pairs as -1.
2. Each volunteer keeps its `top_k` best feasible needs as candidates. The candidate problem
   is expanded into places (one column per open place of a need, plus one "no proposal"
   column per volunteer so that a full matching always exists) and solved exactly with
   scipy's sparse assignment solver (`min_weight_full_bipartite_matching`, LAPJVsp).
3. Certificate of optimality for the *unrestricted* problem: shortest-path potentials on
   the residual graph of the candidate solution (Bellman-Ford, vectorised) are a feasible
   dual. If no left-out feasible pair has a negative reduced cost, the solution is optimal
   for all pairs (LP duality); otherwise the violating pairs join the candidates and step 2
   runs again. So the result is always the exact optimum; `top_k` only decides the speed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# Points per criterion; soft skills weigh most (seed 003: "goede soft skills ... empathisch
# vermogen"), then interests, skills and distance. A pair scores 0..1000 points.
WEIGHTS = {"soft_skills": 400, "interests": 300, "skills": 200, "distance": 100}
CRITERIA = tuple(WEIGHTS)
INFEASIBLE = -1
ADULT_AGE = 18  # age assumed for employees who did not give a date of birth


@dataclass
class Pool:
    """Volunteers as arrays (one entry per volunteer). Bit sets are integer bitmasks."""

    ids: np.ndarray  # int64
    age: np.ndarray  # int16
    vog: np.ndarray  # bool
    availability: np.ndarray  # uint16, bit per half-day of the week
    soft_skills: np.ndarray  # uint32
    skills: np.ndarray  # uint32
    interests: np.ndarray  # uint32
    languages: np.ndarray  # uint32
    place: np.ndarray  # int32, index into the distance table
    max_km: np.ndarray  # float64
    budget: np.ndarray  # float64, remaining half-days (inf without a programme)
    eligible: np.ndarray  # bool (e.g. under 16 without a parent's consent: False)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray | slice) -> Pool:
        return Pool(**{name: getattr(self, name)[rows] for name in self.__dataclass_fields__})


@dataclass
class NeedSet:
    """Needs as arrays (one entry per need)."""

    ids: np.ndarray  # int64
    min_age: np.ndarray  # int16
    vog: np.ndarray  # bool: a VOG is required
    half_days: np.ndarray  # uint16, 0 = any time
    soft_skills: np.ndarray  # uint32
    skills: np.ndarray  # uint32
    interests: np.ndarray  # uint32
    languages: np.ndarray  # uint32, 0 = any language
    place: np.ndarray  # int32
    cost: np.ndarray  # float64, half-days one match takes from the budget
    capacity: np.ndarray  # int32, open places

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, cols: np.ndarray | slice) -> NeedSet:
        return NeedSet(**{name: getattr(self, name)[cols] for name in self.__dataclass_fields__})


@dataclass
class Assignment:
    volunteer: int  # id
    need: int  # id
    score: int
    breakdown: dict[str, int]
    distance_km: float


@dataclass
class Result:
    assignments: list[Assignment]
    objective: int
    feasible_pairs: int
    candidate_pairs: int
    rounds: int
    certified: bool
    timings: dict[str, float] = field(default_factory=dict)
    greedy_objective: int | None = None


def wishes(need_bits) -> np.ndarray:
    """How many wishes a need has in a criterion (int16; 0 = none asked)."""
    return np.bitwise_count(np.asarray(need_bits)).astype(np.int16)


def _share(volunteer_bits, need_bits, asked, weight: int):
    """Points for one set criterion: weight x share of the need's wishes the volunteer meets,
    rounded down; a need without wishes in this criterion gives everyone the full weight."""
    hit = np.bitwise_count(volunteer_bits & need_bits).astype(np.int16)
    return np.where(asked == 0, np.int16(weight), (hit * np.int16(weight)) // np.maximum(asked, 1))


def _distance_points(km, max_km):
    """Points for nearness: the full weight next door, 0 at the volunteer's maximum distance,
    -1 beyond it (a hard constraint)."""
    weight = WEIGHTS["distance"]
    share = 1.0 - np.asarray(km, dtype=np.float64) / np.maximum(max_km, 0.1)
    pts = np.floor(weight * np.clip(share, 0.0, 1.0) + 0.5).astype(np.int16)
    return np.where(km <= max_km, pts, np.int16(INFEASIBLE))


def points(pool: Pool, needs: NeedSet, distances: np.ndarray, rows, cols) -> dict[str, np.ndarray]:
    """Points per criterion for the pairs (rows[i], cols[i]): the explanation of a proposal.
    Same formulas as `score_matrix`, so what is shown is what the solver optimised."""
    result = {}
    for name in ("soft_skills", "interests", "skills"):
        need_bits = getattr(needs, name)[cols]
        result[name] = _share(
            getattr(pool, name)[rows], need_bits, wishes(need_bits), WEIGHTS[name]
        )
    km = distances[pool.place[rows], needs.place[cols]]
    result["distance"] = np.maximum(_distance_points(km, pool.max_km[rows]), 0)
    return result


def score_matrix(
    pool: Pool,
    needs: NeedSet,
    distances: np.ndarray,
    excluded: tuple[np.ndarray, np.ndarray] | None = None,
    chunk: int = 256,
) -> np.ndarray:
    """int16 matrix volunteers x needs: total points of every pair that passes all hard
    constraints, INFEASIBLE (-1) for the others. Vectorised in chunks of volunteers."""
    n_needs = len(needs)
    scores = np.empty((len(pool), n_needs), dtype=np.int16)
    if not len(pool) or not n_needs:
        return scores
    # Distance: one small table per (place, maximum distance) of volunteers x need places.
    keys, vkey = np.unique(
        np.stack([pool.place.astype(np.float64), pool.max_km.astype(np.float64)], axis=1),
        axis=0,
        return_inverse=True,
    )
    vkey = vkey.ravel()
    km = distances[keys[:, 0].astype(np.int64)[:, None], needs.place[None, :]]
    distance_table = _distance_points(km, keys[:, 1][:, None])  # (keys, needs) int16
    items = {name: wishes(getattr(needs, name)) for name in WEIGHTS if name != "distance"}
    n = {name: getattr(needs, name)[None, :] for name in NeedSet.__dataclass_fields__}
    any_time = n["half_days"] == 0
    any_language = n["languages"] == 0
    vog_needed = n["vog"]
    room = n["capacity"] > 0
    budget = np.minimum(pool.budget, 1e4)
    for start in range(0, len(pool), chunk):
        stop = min(start + chunk, len(pool))
        v = {name: getattr(pool, name)[start:stop, None] for name in Pool.__dataclass_fields__}
        total = distance_table[vkey[start:stop]]
        ok = total >= 0
        for name, item_points in items.items():
            total += _share(v[name], n[name], item_points[None, :], WEIGHTS[name])
        ok &= room & v["eligible"]
        ok &= v["age"] >= n["min_age"]
        ok &= v["vog"] | ~vog_needed
        ok &= any_time | ((v["availability"] & n["half_days"]) != 0)
        ok &= any_language | ((v["languages"] & n["languages"]) != 0)
        ok &= budget[start:stop, None] >= n["cost"]
        scores[start:stop] = np.where(ok, total, np.int16(INFEASIBLE))
    if excluded is not None and len(excluded[0]):
        scores[excluded[0], excluded[1]] = INFEASIBLE
    return scores


def feasible_pair(pool: Pool, needs: NeedSet, distances: np.ndarray, row: int, col: int) -> dict:
    """Which hard constraints one pair passes (for tests and for explaining a non-match)."""
    km = float(distances[pool.place[row], needs.place[col]])
    return {
        "eligible": bool(pool.eligible[row]),
        "capacity": bool(needs.capacity[col] > 0),
        "age": bool(pool.age[row] >= needs.min_age[col]),
        "vog": bool(pool.vog[row] or not needs.vog[col]),
        "availability": bool(
            needs.half_days[col] == 0 or pool.availability[row] & needs.half_days[col]
        ),
        "languages": bool(needs.languages[col] == 0 or pool.languages[row] & needs.languages[col]),
        "distance": bool(km <= pool.max_km[row]),
        "budget": bool(pool.budget[row] >= needs.cost[col]),
    }


def _top_per_row(scores: np.ndarray, k: int, chunk: int = 2048):
    """(rows, cols) of the k best feasible entries of each row."""
    rows, cols = [], []
    k = min(k, scores.shape[1])
    if k <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    for start in range(0, scores.shape[0], chunk):
        block = scores[start : start + chunk]
        if k < block.shape[1]:
            top = np.argpartition(block, block.shape[1] - k, axis=1)[:, -k:]
        else:
            top = np.broadcast_to(np.arange(block.shape[1]), block.shape)
        r = np.repeat(np.arange(start, start + block.shape[0]), top.shape[1])
        c = top.ravel()
        keep = scores[r, c] != INFEASIBLE
        rows.append(r[keep])
        cols.append(c[keep])
    return np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)


def _candidates(scores: np.ndarray, capacity: np.ndarray, top_k: int, per_place: int):
    """Candidate pairs: each volunteer's top_k needs, and each need's best volunteers
    (per_place per open place). Only a starting point: the certificate adds what is missing."""
    rows, cols = _top_per_row(scores, top_k)
    extra_cols, extra_rows = _top_per_row(scores.T, per_place * int(max(capacity.max(), 1)))
    # Per need keep only per_place x its own capacity of those.
    rank = np.arange(len(extra_cols)) - np.repeat(
        np.cumsum(np.bincount(extra_cols, minlength=scores.shape[1]))
        - np.bincount(extra_cols, minlength=scores.shape[1]),
        np.bincount(extra_cols, minlength=scores.shape[1]),
    )
    keep = rank < per_place * capacity[extra_cols]
    return _unique_pairs(
        np.concatenate([rows, extra_rows[keep]]),
        np.concatenate([cols, extra_cols[keep]]),
        scores.shape[1],
    )


def _unique_pairs(rows, cols, n_cols):
    key = np.unique(rows.astype(np.int64) * n_cols + cols)
    return key // n_cols, key % n_cols


def reference_optimum(scores: np.ndarray, capacity: np.ndarray) -> int:
    """The optimum over *all* feasible pairs with a second, independent solver: scipy's
    sparse assignment solver (LAPJVsp) on the needs expanded into places. For tests and the
    benchmark's small instances."""
    rows, cols = np.nonzero(scores != INFEASIBLE)
    if not rows.size:
        return 0
    weights = scores[rows, cols].astype(np.int64)
    assigned = _assign_places(rows, cols, weights, scores.shape[0], capacity)
    chosen = np.nonzero(assigned >= 0)[0]
    return int(scores[chosen, assigned[chosen]].astype(np.int64).sum())


def _assign_places(rows, cols, weights, n_volunteers, capacity):
    """Maximum-weight assignment of volunteers to places. Returns need index per volunteer
    (-1: none)."""
    capacity = np.asarray(capacity, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(capacity)])
    n_places = int(offsets[-1])
    per_pair = capacity[cols]
    edge_rows = np.repeat(rows, per_pair)
    # Column of each place: offset of the need + 0..c-1.
    start = np.repeat(offsets[cols], per_pair)
    within = np.arange(len(edge_rows)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    edge_cols = start + within
    edge_weights = np.repeat(weights.astype(np.float64) + 1.0, per_pair)  # weights must be != 0
    # "No proposal" column per volunteer, weight 1: a full matching always exists, and every
    # volunteer contributes exactly +1 whatever happens, so the optimum is unchanged.
    dummy = np.arange(n_volunteers)
    graph = sparse.csr_array(
        (
            np.concatenate([edge_weights, np.ones(n_volunteers)]),
            (np.concatenate([edge_rows, dummy]), np.concatenate([edge_cols, n_places + dummy])),
        ),
        shape=(n_volunteers, n_places + n_volunteers),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph, maximize=True)
    place_need = np.repeat(np.arange(len(capacity)), capacity)
    assigned = np.full(n_volunteers, -1, dtype=np.int64)
    real = col_ind < n_places
    assigned[row_ind[real]] = place_need[col_ind[real]]
    return assigned


def _solve_lp(rows, cols, weights, n_volunteers, capacity):
    """Exact optimum of the candidate problem as a transportation LP (HiGHS dual simplex).
    The constraint matrix is totally unimodular, so the optimal vertex is integral.
    Returns (need index per volunteer or -1, volunteer duals u, need duals p)."""
    n_needs = len(capacity)
    n_pairs = len(rows)
    pair = np.arange(n_pairs)
    constraints = sparse.csr_array(
        (
            np.ones(2 * n_pairs),
            (np.concatenate([rows, n_volunteers + cols]), np.concatenate([pair, pair])),
        ),
        shape=(n_volunteers + n_needs, n_pairs),
    )
    limits = np.concatenate([np.ones(n_volunteers), capacity]).astype(np.float64)
    result = linprog(
        -weights.astype(np.float64),
        A_ub=constraints,
        b_ub=limits,
        bounds=(0, None),  # x <= 1 follows from the volunteer's row
        method="highs-ds",
    )
    if result.status != 0:
        raise RuntimeError(f"LP solver failed: {result.message}")
    chosen = result.x > 0.5
    assigned = np.full(n_volunteers, -1, dtype=np.int64)
    assigned[rows[chosen]] = cols[chosen]
    duals = -result.ineqlin.marginals
    return assigned, duals[:n_volunteers], duals[n_volunteers:]


def _violations(scores, u, p, per_row: int = 3, chunk: int = 2048):
    """Feasible pairs whose dual constraint u(volunteer) + p(need) >= points fails (negative
    reduced cost): at most the per_row most violated of each volunteer. None: optimal."""
    rows, cols = [], []
    for start in range(0, scores.shape[0], chunk):
        block = scores[start : start + chunk]
        slack = np.where(
            block != INFEASIBLE,
            block - p[None, :] - u[start : start + chunk, None] - 1e-6,
            -1.0,
        )
        bad = np.nonzero((slack > 0).any(axis=1))[0]
        if not bad.size:
            continue
        sub = slack[bad]
        k = min(per_row, sub.shape[1])
        top = np.argpartition(sub, sub.shape[1] - k, axis=1)[:, -k:]
        r = np.repeat(bad, k)
        c = top.ravel()
        keep = sub[np.repeat(np.arange(len(bad)), k), c] > 0
        rows.append(r[keep] + start)
        cols.append(c[keep])
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def greedy(scores_rows, scores_cols, weights, n_volunteers, capacity) -> int:
    """Baseline: best pair first, as long as the volunteer is free and the need has room."""
    order = np.argsort(-weights, kind="stable")
    free = np.ones(n_volunteers, dtype=bool)
    room = np.asarray(capacity, dtype=np.int64).copy()
    total = 0
    for i in order:
        r, c = scores_rows[i], scores_cols[i]
        if free[r] and room[c] > 0:
            free[r] = False
            room[c] -= 1
            total += int(weights[i])
    return total


def match(
    pool: Pool,
    needs: NeedSet,
    distances: np.ndarray,
    excluded: tuple[np.ndarray, np.ndarray] | None = None,
    top_k: int = 4,
    per_place: int = 3,
    with_greedy: bool = False,
    max_rounds: int = 50,
    verbose: bool = False,
) -> Result:
    """The exact optimal assignment with its per-criterion explanation."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    scores = score_matrix(pool, needs, distances, excluded)
    timings["score"] = time.perf_counter() - clock
    feasible_pairs = int(np.count_nonzero(scores != INFEASIBLE))

    clock = time.perf_counter()
    capacity = np.maximum(needs.capacity, 0).astype(np.int64)
    rows, cols = _candidates(scores, capacity, top_k, per_place)
    timings["candidates"] = time.perf_counter() - clock
    timings["solve"] = timings["certify"] = 0.0
    certified, rounds = False, 0
    assigned = np.full(len(pool), -1, dtype=np.int64)
    weights = np.empty(0, dtype=np.int64)
    while rows.size and rounds < max_rounds:
        rounds += 1
        weights = scores[rows, cols].astype(np.int64)
        clock = time.perf_counter()
        assigned, u, p = _solve_lp(rows, cols, weights, len(pool), capacity)
        timings["solve"] += time.perf_counter() - clock
        clock = time.perf_counter()
        bad_rows, bad_cols = _violations(scores, u, p)
        timings["certify"] += time.perf_counter() - clock
        if verbose:
            print(f"round {rounds}: {rows.size} candidates, {bad_rows.size} violations")
        if not bad_rows.size:
            certified = True
            break
        rows, cols = _unique_pairs(
            np.concatenate([rows, bad_rows]), np.concatenate([cols, bad_cols]), len(needs)
        )
    if not rows.size:
        certified = True

    greedy_objective = None
    if with_greedy and rows.size:
        clock = time.perf_counter()
        greedy_objective = greedy(
            rows, cols, scores[rows, cols].astype(np.int64), len(pool), capacity
        )
        timings["greedy"] = time.perf_counter() - clock

    chosen = np.nonzero(assigned >= 0)[0]
    need_idx = assigned[chosen]
    km = distances[pool.place[chosen], needs.place[need_idx]]
    parts = points(pool, needs, distances, chosen, need_idx)
    assignments = []
    for i, (r, c) in enumerate(zip(chosen, need_idx, strict=True)):
        breakdown = {name: int(parts[name][i]) for name in CRITERIA}
        assignments.append(
            Assignment(
                volunteer=int(pool.ids[r]),
                need=int(needs.ids[c]),
                score=sum(breakdown.values()),
                breakdown=breakdown,
                distance_km=round(float(km[i]), 1),
            )
        )
    return Result(
        assignments=assignments,
        objective=sum(a.score for a in assignments),
        feasible_pairs=feasible_pairs,
        candidate_pairs=int(rows.size),
        rounds=rounds,
        certified=certified,
        timings=timings,
        greedy_objective=greedy_objective,
    )


# --- encoding helpers ---------------------------------------------------------------------


def bits(codes, vocabulary) -> int:
    """A list of codes as a bitmask over the vocabulary (unknown codes are ignored)."""
    index = {code: i for i, code in enumerate(vocabulary)}
    mask = 0
    for code in codes or ():
        if code in index:
            mask |= 1 << index[code]
    return mask


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works on floats and numpy arrays."""
    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_table(coordinates: list[tuple[float, float]]) -> np.ndarray:
    """Distances in km between every two places (a small table: one entry per PC4)."""
    if not coordinates:
        return np.zeros((0, 0))
    lat = np.array([c[0] for c in coordinates])
    lon = np.array([c[1] for c in coordinates])
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])


UNLIMITED = math.inf
