"""The matching engine: volunteers to needs, hard constraints first, then an exact optimum.

Pure numpy, scipy and OR-Tools, no Django: `matching_run.run_matching` turns rows into a `Pool`
and a `NeedSet`, the benchmark (`bench/matching.py`) generates them.

The problem. Every volunteer gets at most one new proposal per run; a need with c open places
takes at most c volunteers. Among the pairs that pass every hard constraint (age, VOG,
availability, languages, distance, remaining budget, open places, not declined before) we
maximise the total fit: a transportation problem (min-cost flow), totally unimodular, so its
optimum is integral and the fit scores are integer points.

How it is solved exactly and fast.
1. Scores. Each criterion and each group of hard constraints is a small table (distinct
   volunteer values x needs), so a block of the int16 score matrix (20,000 x 5,000 = 200 MB,
   infeasible pairs -1) is a sum of table rows: no Python loop over pairs.
2. Prices. A forward auction (Bertsekas) with a coarse epsilon estimates what each need
   "costs": free volunteers bid for their best need at current prices until every volunteer
   holds a place or wants none.
3. Candidates: each volunteer's needs within `delta` points of its best need at those prices.
4. The candidate problem is solved exactly as a min-cost flow (OR-Tools `SimpleMinCostFlow`).
5. Certificate for *all* feasible pairs: shortest distances in the residual graph of that
   solution (vectorised Bellman-Ford) give dual prices u (volunteers) and p (needs) with the
   same objective. One pass over the score matrix checks u_i + p_j >= points for every
   feasible pair; pairs that break it join the candidates and step 4 runs again. A result
   marked `certified` is optimal over every feasible pair by LP duality (its objective equals
   the dual bound); epsilon and delta only decide the speed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

# Points per criterion; soft skills weigh most (seed 003: "goede soft skills ... empathisch
# vermogen"), then interests, skills and distance. A pair scores 0..1000 points.
WEIGHTS = {"soft_skills": 400, "interests": 300, "skills": 200, "distance": 100}
CRITERIA = tuple(WEIGHTS)
MAX_POINTS = sum(WEIGHTS.values())
INFEASIBLE = -1
BLOCKED = 4 * MAX_POINTS  # taken off a pair's points for every group of constraints it fails
NOTHING = np.iinfo(np.int16).min  # the value of a pair worth no points, in the search
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
    dual_bound: int | None = None  # sum of u + capacity x p: no assignment can score more


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
    chunk: int = 512,
) -> np.ndarray:
    """int16 matrix volunteers x needs: total points of every pair that passes all hard
    constraints, INFEASIBLE (-1) for the others. Each block of volunteers is a sum of rows of
    the small tables of `_score_tables`, minus BLOCKED where no half-day fits."""
    scores = np.empty((len(pool), len(needs)), dtype=np.int16)
    if not len(pool) or not len(needs):
        return scores
    (first, first_key), *tables = _score_tables(pool, needs, distances)
    # Bit 15 is no half-day: a need open at any time (0) fits every volunteer.
    half_days = np.where(needs.half_days == 0, 0xFFFF, needs.half_days).astype(np.uint16)
    available = pool.availability.astype(np.uint16) | np.uint16(0x8000)
    for start in range(0, len(pool), chunk):
        rows = slice(start, start + chunk)
        total = np.take(first, first_key[rows], axis=0)
        for table, key in tables:
            total += np.take(table, key[rows], axis=0)
        unavailable = (available[rows, None] & half_days) == 0
        total -= unavailable.view(np.int8) * np.int16(BLOCKED)
        np.maximum(total, INFEASIBLE, out=scores[rows])
    if excluded is not None and len(excluded[0]):
        scores[excluded[0], excluded[1]] = INFEASIBLE
    return scores


def _score_tables(pool: Pool, needs: NeedSet, distances: np.ndarray):
    """(table, key) pairs: table[key[v]] is volunteer v's row for every need. The rows add up
    to the points of `points`, minus BLOCKED for a volunteer too far away or failing a
    constraint of `_constraint_table`."""
    values, key = _distinct(pool.place, pool.max_km)
    km = distances[values[:, 0].astype(np.int64)[:, None], needs.place[None, :]]
    nearness = _distance_points(km, values[:, 1:2])
    tables = [(np.where(nearness >= 0, nearness, np.int16(-BLOCKED)), key)]
    for name in ("soft_skills", "interests", "skills"):
        bits, key = np.unique(getattr(pool, name), return_inverse=True)
        need_bits = getattr(needs, name)
        table = _share(bits[:, None], need_bits[None, :], wishes(need_bits)[None, :], WEIGHTS[name])
        tables.append((table, key.ravel()))
    tables.append(_constraint_table(pool, needs))
    return tables


def _constraint_table(pool: Pool, needs: NeedSet):
    """0 where eligibility, age, VOG, budget and languages allow the need (and it has open
    places), -BLOCKED elsewhere. Volunteers are told apart only by the thresholds they pass."""
    ages, costs = np.unique(needs.min_age), np.unique(needs.cost)
    values, key = _distinct(
        pool.eligible,
        np.searchsorted(ages, pool.age, side="right"),  # how many minimum ages it reaches
        pool.vog,
        np.searchsorted(costs, pool.budget, side="right"),  # how many costs it can pay
        pool.languages,
    )
    eligible, age_rank, vog, budget_rank, languages = values.T[:, :, None]
    ok = (eligible > 0) & (needs.capacity > 0)
    ok &= age_rank > np.searchsorted(ages, needs.min_age)
    ok &= (vog > 0) | ~needs.vog
    ok &= budget_rank > np.searchsorted(costs, needs.cost)
    ok &= (needs.languages == 0) | ((languages.astype(np.uint32) & needs.languages) != 0)
    return np.where(ok, np.int16(0), np.int16(-BLOCKED)), key


def _distinct(*columns):
    """The distinct combinations of volunteer attributes (rows of floats) and each volunteer's."""
    stacked = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)
    values, key = np.unique(stacked, axis=0, return_inverse=True)
    return values, key.ravel()


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


# --- prices and candidates ----------------------------------------------------------------


def auction_prices(scores: np.ndarray, capacity: np.ndarray, epsilon: int, chunk: int = 1024):
    """Prices of the needs from a forward auction (Bertsekas): every volunteer without a place
    bids for its best need at current prices (points minus price), raising the price by its
    margin over the second-best option (another need, or none) plus epsilon; a need keeps its
    highest bids and, once full, its price is the lowest bid it keeps. Stops when every
    volunteer holds a place or wants none. Within epsilon per volunteer of an optimal dual;
    only used to choose candidates."""
    n_volunteers, n_needs = scores.shape
    epsilon = min(max(int(epsilon), 1), MAX_POINTS)  # at least 1 point, or bidding never ends
    price = np.zeros(n_needs, dtype=np.int32)
    holds = np.full(n_volunteers, -1, dtype=np.int64)
    paid = np.zeros(n_volunteers, dtype=np.int32)
    bidders = np.arange(n_volunteers)
    while bidders.size:
        best, value, second = _best_two(scores, bidders, price, chunk)
        keen = value > 0
        bids = price[best[keen]] + value[keen] - second[keen] + epsilon
        bidders = _award(bidders[keen], best[keen], bids, holds, paid, price, capacity)
    return price


def _best_two(scores, rows, price, chunk):
    """Per row: the need of highest value (points minus price), that value, and the value of
    the second-best option (0 when no other need is worth more than no proposal)."""
    price16 = price.astype(np.int16)
    best = np.empty(len(rows), dtype=np.int64)
    value = np.empty(len(rows), dtype=np.int32)
    second = np.empty(len(rows), dtype=np.int32)
    for start in range(0, len(rows), chunk):
        part = slice(start, start + chunk)
        block = scores[rows[part]]
        block -= price16
        at = np.arange(len(block))
        best[part] = block.argmax(axis=1)
        value[part] = block[at, best[part]]
        block[at, best[part]] = NOTHING
        second[part] = block.max(axis=1)
    return best, value, np.maximum(second, 0)


def _award(bidders, targets, bids, holds, paid, price, capacity):
    """Each need that got bids keeps its highest ones (present holders included) up to its
    capacity and raises its price when full; returns the volunteers left without a place."""
    bid_on = np.zeros(len(price), dtype=bool)
    bid_on[targets] = True
    holders = np.nonzero(holds >= 0)[0]
    holders = holders[bid_on[holds[holders]]]
    who = np.concatenate([holders, bidders])
    need = np.concatenate([holds[holders], targets])
    amount = np.concatenate([paid[holders], bids])
    order = np.lexsort((-amount, need))
    who, need, amount = who[order], need[order], amount[order]
    rank = np.arange(len(need)) - np.searchsorted(need, need)
    kept = rank < capacity[need]
    holds[who[~kept]] = -1
    holds[who[kept]] = need[kept]
    paid[who[kept]] = amount[kept]
    last_place = rank == capacity[need] - 1  # the lowest bid a full need keeps
    price[need[last_place]] = amount[last_place]
    return who[~kept]


def _near_best(scores, price, delta: int, chunk: int = 512):
    """(rows, cols) of the pairs worth at least the volunteer's best value at these prices
    minus delta, among pairs worth points (0 adds nothing): so every volunteer with such a
    pair has a candidate."""
    price16 = price.astype(np.int16)
    rows, cols = [], []
    for start in range(0, scores.shape[0], chunk):
        block = scores[start : start + chunk]
        value = np.where(block > 0, block - price16, NOTHING)
        best = value.max(axis=1, keepdims=True).astype(np.int32)
        r, c = np.nonzero(value >= np.maximum(best - max(delta, 0), NOTHING + 1))
        rows.append(r + start)
        cols.append(c)
    if not rows:  # nobody in the pool (e.g. every volunteer inactive)
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _violations(scores, u, p, capacity, delta: int, chunk: int = 512):
    """Pairs that break the dual constraint u_i + p_j >= points: of every volunteer with such
    a pair, its needs within delta of its best at prices p; of every need, its most violated
    volunteers (one per place). Empty: the duals are feasible for every pair."""
    u16, p16 = u.astype(np.int16), p.astype(np.int16)
    rows, cols, by_need = [], [], []
    for start in range(0, scores.shape[0], chunk):
        block = scores[start : start + chunk]
        value = block - p16
        best = value.max(axis=1)
        bad = np.nonzero(best > u16[start : start + chunk])[0]
        if not bad.size:
            continue
        near = value[bad] >= best[bad, None].astype(np.int32) - max(delta, 0)
        r, c = np.nonzero(near & (block[bad] > 0))
        rows.append(bad[r] + start)
        cols.append(c)
        excess = value - u16[start : start + chunk, None]
        worst = excess.argmax(axis=0)
        need = np.nonzero(excess[worst, np.arange(len(p))] > 0)[0]
        by_need.append((worst[need] + start, need, excess[worst[need], need]))
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    r, c, excess = (np.concatenate(part) for part in zip(*by_need, strict=True))
    order = np.lexsort((-excess, c))
    r, c = r[order], c[order]
    top = np.arange(len(c)) - np.searchsorted(c, c) < capacity[c]
    return np.concatenate([*rows, r[top]]), np.concatenate([*cols, c[top]])


def _unique_pairs(rows, cols, n_cols):
    key = np.unique(rows.astype(np.int64) * n_cols + cols)
    return key // n_cols, key % n_cols


# --- exact solution and certificate -------------------------------------------------------


def _solve(rows, cols, weights, n_volunteers: int, capacity) -> np.ndarray:
    """Exact maximum-weight assignment on the candidate pairs as a min-cost flow (OR-Tools):
    every volunteer sends one unit to the sink through a need (cost -points, at most the
    need's capacity) or directly (no proposal, cost 0). Returns which pairs are chosen."""
    n_needs = len(capacity)
    sink = n_volunteers + n_needs
    volunteers = np.arange(n_volunteers)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([rows, n_volunteers + np.arange(n_needs), volunteers]),
        np.concatenate([n_volunteers + cols, np.full(n_needs + n_volunteers, sink)]),
        np.concatenate([np.ones(len(rows)), capacity, np.ones(n_volunteers)]).astype(np.int64),
        np.concatenate([-weights, np.zeros(n_needs + n_volunteers)]).astype(np.int64),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_volunteers] = 1
    supplies[sink] = -n_volunteers
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return flow.flows(np.arange(len(rows))) > 0


def _duals(rows, cols, weights, chosen, capacity, n_volunteers: int):
    """Optimal duals of the candidate problem from its optimal solution: u (volunteers) and
    p (needs) with u_i + p_j >= points on every candidate pair and equality on chosen ones,
    u = 0 without a proposal and p = 0 with room left (complementary slackness). They are
    shortest distances to a root in the residual graph, by Bellman-Ford over whole arrays:
    e(volunteer) = min(0, e(need) - points) over its candidates, e(need) = e(volunteer) +
    points over its chosen volunteers (and at most 0 with room left); u = -e, p = e. Rows
    must be sorted (as `_unique_pairs` leaves them)."""
    n_needs = len(capacity)
    taken_rows, taken_cols, taken_points = rows[chosen], cols[chosen], weights[chosen]
    by_need = np.argsort(taken_cols, kind="stable")
    taken_rows, taken_cols, taken_points = (
        taken_rows[by_need], taken_cols[by_need], taken_points[by_need]
    )  # fmt: skip
    filled, filled_at = np.unique(taken_cols, return_index=True)
    room = np.bincount(taken_cols, minlength=n_needs) < capacity
    volunteers, starts = np.unique(rows, return_index=True)
    e_volunteer = np.zeros(n_volunteers, dtype=np.int64)
    for _ in range(n_volunteers + n_needs + 1):
        e_need = np.zeros(n_needs, dtype=np.int64)
        if filled.size:
            e_need[filled] = np.minimum.reduceat(e_volunteer[taken_rows] + taken_points, filled_at)
        e_need[room] = np.minimum(e_need[room], 0)
        e_next = np.zeros(n_volunteers, dtype=np.int64)
        e_next[volunteers] = np.minimum(np.minimum.reduceat(e_need[cols] - weights, starts), 0)
        if np.array_equal(e_next, e_volunteer):
            return -e_volunteer, e_need
        e_volunteer = e_next
    raise RuntimeError("not an optimal solution: its residual graph has a negative cycle")


def greedy(rows, cols, weights, n_volunteers, capacity) -> int:
    """Baseline: best pair first (ties in the given order), as long as the volunteer is free
    and the need has room. Walks the pairs level by level (equal points), and within a level
    only those still possible at its start."""
    weights = np.asarray(weights)
    order = np.argsort(-weights, kind="stable")
    rows, cols, weights = rows[order], cols[order], weights[order]
    free = np.ones(n_volunteers, dtype=bool)
    room = np.asarray(capacity, dtype=np.int64).copy()
    total = 0
    bounds = np.flatnonzero(np.diff(weights)) + 1
    for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(weights)], strict=True):
        level = np.arange(start, stop)
        level = level[free[rows[level]] & (room[cols[level]] > 0)]
        for r, c, w in zip(
            rows[level].tolist(), cols[level].tolist(), weights[level].tolist(), strict=True
        ):
            if free[r] and room[c] > 0:
                free[r] = False
                room[c] -= 1
                total += w
    return total


def match(
    pool: Pool,
    needs: NeedSet,
    distances: np.ndarray,
    excluded: tuple[np.ndarray, np.ndarray] | None = None,
    epsilon: int = 64,
    delta: int = 100,
    with_greedy: bool = False,
    max_rounds: int = 50,
    verbose: bool = False,
) -> Result:
    """The exact optimal assignment with its per-criterion explanation."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    scores = score_matrix(pool, needs, distances, excluded)
    timings["score"] = time.perf_counter() - clock
    capacity = np.maximum(needs.capacity, 0).astype(np.int64)
    solution = _optimum(scores, capacity, epsilon, delta, max_rounds, timings, verbose)
    greedy_objective = None
    if with_greedy:
        clock = time.perf_counter()
        rows, cols = np.nonzero(scores > 0)
        greedy_objective = greedy(rows, cols, scores[rows, cols], len(pool), capacity)
        timings["greedy"] = time.perf_counter() - clock
    assignments = _explain(pool, needs, distances, solution.rows, solution.cols)
    objective = sum(a.score for a in assignments)
    return Result(
        assignments=assignments,
        objective=objective,
        feasible_pairs=_count_feasible(scores),
        candidate_pairs=solution.candidates,
        rounds=solution.rounds,
        certified=solution.dual_bound == objective,
        timings=timings,
        greedy_objective=greedy_objective,
        dual_bound=solution.dual_bound,
    )


@dataclass
class _Solution:
    rows: np.ndarray  # volunteer index of each chosen pair
    cols: np.ndarray  # need index of each chosen pair
    candidates: int = 0
    rounds: int = 0
    dual_bound: int | None = None  # set once the duals are feasible for every pair


def _optimum(scores, capacity, epsilon, delta, max_rounds, timings, verbose) -> _Solution:
    """Steps 2-5 of the module docstring: prices, candidates, then solve and certify until no
    feasible pair breaks the duals."""
    clock = time.perf_counter()
    prices = auction_prices(scores, capacity, epsilon)
    timings["prices"] = time.perf_counter() - clock
    clock = time.perf_counter()
    rows, cols = _near_best(scores, prices, delta)
    timings["candidates"] = time.perf_counter() - clock
    none = np.empty(0, dtype=np.int64)
    if not rows.size:  # no pair scores a point: no proposal is optimal (bound 0)
        return _Solution(none, none, dual_bound=0)
    solution = _Solution(none, none)
    for name in ("solve", "duals", "certify"):
        timings[name] = 0.0
    while solution.rounds < max_rounds:
        solution.rounds += 1
        solution.candidates = len(rows)
        weights = scores[rows, cols].astype(np.int64)
        clock = time.perf_counter()
        chosen = _solve(rows, cols, weights, scores.shape[0], capacity)
        solution.rows, solution.cols = rows[chosen], cols[chosen]
        timings["solve"] += time.perf_counter() - clock
        clock = time.perf_counter()
        u, p = _duals(rows, cols, weights, chosen, capacity, scores.shape[0])
        timings["duals"] += time.perf_counter() - clock
        clock = time.perf_counter()
        missing = _violations(scores, u, p, capacity, delta) if _in_range(u, p) else None
        timings["certify"] += time.perf_counter() - clock
        if verbose:
            print(
                f"round {solution.rounds}: {len(rows)} candidates, {weights[chosen].sum()} points"
            )
        if missing is None:  # no valid duals: leave the result uncertified
            break
        if not missing[0].size:
            solution.dual_bound = int(u.sum() + (capacity * p).sum())
            break
        rows, cols = _unique_pairs(
            np.concatenate([rows, missing[0]]), np.concatenate([cols, missing[1]]), len(capacity)
        )
    return solution


def _count_feasible(scores, chunk: int = 512) -> int:
    return sum(
        int(np.count_nonzero(scores[start : start + chunk] != INFEASIBLE))
        for start in range(0, scores.shape[0], chunk)
    )


def _in_range(u, p) -> bool:
    """Duals of an optimal solution lie in 0..MAX_POINTS (so the scan can use int16)."""
    return (
        bool(u.size and p.size)
        and min(u.min(), p.min()) >= 0
        and max(u.max(), p.max()) <= MAX_POINTS
    )


def _explain(pool, needs, distances, rows, cols) -> list[Assignment]:
    """The proposals with their points per criterion and distance."""
    km = distances[pool.place[rows], needs.place[cols]].round(1).tolist()
    parts = points(pool, needs, distances, rows, cols)
    breakdowns = [
        dict(zip(CRITERIA, values, strict=True))
        for values in zip(*(parts[name].tolist() for name in CRITERIA), strict=True)
    ]
    return [
        Assignment(
            volunteer=volunteer,
            need=need,
            score=sum(breakdown.values()),
            breakdown=breakdown,
            distance_km=distance,
        )
        for volunteer, need, breakdown, distance in zip(
            pool.ids[rows].tolist(), needs.ids[cols].tolist(), breakdowns, km, strict=True
        )
    ]


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
