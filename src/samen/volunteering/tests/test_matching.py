"""The matching engine: every hard constraint, the scores, and the exact optimum on small
instances (checked exhaustively and with a second solver, and certified by its dual bound)."""

import itertools

import numpy as np
import pytest

from samen.volunteering import matching
from samen.volunteering.matching import INFEASIBLE, NeedSet, Pool
from samen.volunteering.tests.reference_solver import reference_optimum

# Six places for the engine's own tests: four within a few km, two further away.
PLACES = [
    (52.701, 6.196),
    (52.708, 6.21),
    (52.694, 6.223),
    (52.715, 6.182),
    (52.80, 6.35),
    (52.95, 6.75),
]
DISTANCES = matching.distance_table(PLACES)


def pool(**overrides) -> Pool:
    base = {
        "ids": [1],
        "age": [30],
        "vog": [True],
        "availability": [0b11],
        "soft_skills": [0b111],
        "skills": [0b1],
        "interests": [0b1],
        "languages": [0b1],
        "place": [0],
        "max_km": [5.0],
        "budget": [2.0],
        "eligible": [True],
    }
    base.update(overrides)
    dtypes = {
        "ids": np.int64,
        "age": np.int16,
        "vog": bool,
        "availability": np.uint16,
        "place": np.int32,
        "max_km": np.float64,
        "budget": np.float64,
        "eligible": bool,
    }
    return Pool(**{k: np.array(v, dtype=dtypes.get(k, np.uint32)) for k, v in base.items()})


def needs(**overrides) -> NeedSet:
    base = {
        "ids": [10],
        "min_age": [18],
        "vog": [True],
        "half_days": [0b10],
        "soft_skills": [0b11],
        "skills": [0b1],
        "interests": [0b1],
        "languages": [0b1],
        "place": [1],
        "cost": [1.0],
        "capacity": [1],
    }
    base.update(overrides)
    dtypes = {
        "ids": np.int64,
        "min_age": np.int16,
        "vog": bool,
        "half_days": np.uint16,
        "place": np.int32,
        "cost": np.float64,
        "capacity": np.int32,
    }
    return NeedSet(**{k: np.array(v, dtype=dtypes.get(k, np.uint32)) for k, v in base.items()})


def test_a_pair_that_meets_every_constraint_is_matched_with_its_explanation():
    result = matching.match(pool(), needs(), DISTANCES)
    assert [(a.volunteer, a.need) for a in result.assignments] == [(1, 10)]
    (assignment,) = result.assignments
    assert assignment.breakdown["soft_skills"] == 400  # both wished soft skills
    assert assignment.breakdown["skills"] == 200 and assignment.breakdown["interests"] == 300
    assert 0 < assignment.breakdown["distance"] < 100
    assert assignment.score == sum(assignment.breakdown.values()) == result.objective
    assert result.certified


@pytest.mark.parametrize(
    "constraint, volunteer, need",
    [
        ("age", {"age": [15]}, {}),
        ("vog", {"vog": [False]}, {}),
        ("availability", {"availability": [0b1]}, {"half_days": [0b10]}),
        ("languages", {"languages": [0b10]}, {}),
        ("distance", {"max_km": [0.5]}, {}),
        ("budget", {"budget": [0.5]}, {}),
        ("budget", {"budget": [1.0]}, {"cost": [2.0]}),
        ("capacity", {}, {"capacity": [0]}),
        ("eligible", {"eligible": [False]}, {}),
    ],
)
def test_every_hard_constraint_blocks_a_match(constraint, volunteer, need):
    p, n = pool(**volunteer), needs(**need)
    assert matching.feasible_pair(p, n, DISTANCES, 0, 0)[constraint] is False
    assert matching.match(p, n, DISTANCES).assignments == []
    # The same pair without that change is matched, so it is this constraint that blocks.
    assert matching.match(pool(), needs(), DISTANCES).assignments


def test_open_constraints_need_any_time_and_any_language():
    p = pool(availability=[0b1], languages=[0b100])
    n = needs(half_days=[0], languages=[0])
    assert len(matching.match(p, n, DISTANCES).assignments) == 1


def test_an_excluded_pair_is_never_proposed():
    excluded = (np.array([0]), np.array([0]))
    assert matching.match(pool(), needs(), DISTANCES, excluded=excluded).assignments == []


def test_soft_skills_weigh_most():
    two = pool(ids=[1, 2], soft_skills=[0b11, 0], skills=[0, 0b1], interests=[0b10, 0b10],
               age=[30, 30], vog=[True, True], availability=[3, 3], languages=[1, 1],
               place=[1, 1], max_km=[5.0, 5.0], budget=[2.0, 2.0], eligible=[True, True])  # fmt: skip
    result = matching.match(two, needs(), DISTANCES)
    assert [a.volunteer for a in result.assignments] == [1]


def test_a_pair_worth_no_points_does_not_hide_a_good_one():
    # Need 20 is feasible but worth 0 points (no wish met, at the edge of the travel
    # distance); need 10 is worth 1000. At the auction's price of need 10 the empty pair
    # looks better, yet the proposal must be the good pair.
    v = pool(soft_skills=[0b100], skills=[0], interests=[0], max_km=[DISTANCES[0, 1]])
    n = needs(
        ids=[10, 20], min_age=[18, 18], vog=[False, False], half_days=[0, 0],
        soft_skills=[0b100, 0b11], skills=[0, 0b1], interests=[0, 0b1], languages=[0, 0],
        place=[0, 1], cost=[1.0, 1.0], capacity=[1, 1],
    )  # fmt: skip
    assert matching.score_matrix(v, n, DISTANCES).tolist() == [[1000, 0]]
    result = matching.match(v, n, DISTANCES, delta=0)
    assert [(a.need, a.score) for a in result.assignments] == [(10, 1000)]
    assert result.certified


def random_instance(rng, n_volunteers, n_needs, max_capacity=3):
    def bits(n, k, p):
        return ((rng.random((n, k)) < p) @ (1 << np.arange(k))).astype(np.uint32)

    p = Pool(
        ids=np.arange(n_volunteers, dtype=np.int64),
        age=rng.integers(12, 60, n_volunteers).astype(np.int16),
        vog=rng.random(n_volunteers) < 0.5,
        availability=bits(n_volunteers, 14, 0.3).astype(np.uint16),
        soft_skills=bits(n_volunteers, 10, 0.3),
        skills=bits(n_volunteers, 10, 0.3),
        interests=bits(n_volunteers, 10, 0.3),
        languages=(1 | bits(n_volunteers, 4, 0.3)).astype(np.uint32),
        place=rng.integers(0, len(PLACES), n_volunteers).astype(np.int32),
        max_km=rng.choice([2.0, 5.0, 20.0, 60.0], n_volunteers),
        budget=rng.choice([0.0, 1.0, 2.0, np.inf], n_volunteers),
        eligible=rng.random(n_volunteers) < 0.95,
    )
    n = NeedSet(
        ids=np.arange(100, 100 + n_needs, dtype=np.int64),
        min_age=rng.choice([12, 16, 18], n_needs).astype(np.int16),
        vog=rng.random(n_needs) < 0.3,
        half_days=np.where(rng.random(n_needs) < 0.2, 0, bits(n_needs, 14, 0.3)).astype(np.uint16),
        soft_skills=bits(n_needs, 10, 0.3),
        skills=bits(n_needs, 10, 0.2),
        interests=bits(n_needs, 10, 0.2),
        languages=np.where(rng.random(n_needs) < 0.3, bits(n_needs, 4, 0.5), 0).astype(np.uint32),
        place=rng.integers(0, len(PLACES), n_needs).astype(np.int32),
        cost=rng.choice([1.0, 2.0], n_needs),
        capacity=rng.integers(1, max_capacity + 1, n_needs).astype(np.int32),
    )
    return p, n


def brute_force(scores: np.ndarray, capacity) -> int:
    """Every way to give each volunteer one need or nothing, within the capacities."""
    n_volunteers, n_needs = scores.shape
    best = 0
    for choice in itertools.product(range(-1, n_needs), repeat=n_volunteers):
        load = np.bincount([c for c in choice if c >= 0], minlength=n_needs)
        if (load > capacity).any():
            continue
        if any(c >= 0 and scores[v, c] == INFEASIBLE for v, c in enumerate(choice)):
            continue
        best = max(best, sum(int(scores[v, c]) for v, c in enumerate(choice) if c >= 0))
    return best


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("epsilon", [1, 500])
def test_optimum_equals_exhaustive_search_on_tiny_instances(seed, epsilon):
    rng = np.random.default_rng(seed)
    p, n = random_instance(rng, 6, 3, max_capacity=2)
    scores = matching.score_matrix(p, n, DISTANCES)
    expected = brute_force(scores, n.capacity)
    # Only each volunteer's best need as candidate (delta=0), with fine or very rough prices:
    # the certificate must find what is missing.
    result = matching.match(p, n, DISTANCES, epsilon=epsilon, delta=0)
    assert result.certified
    assert result.objective == result.dual_bound == expected


@pytest.mark.parametrize("seed", range(10))
def test_optimum_equals_a_second_solver_on_small_instances(seed):
    rng = np.random.default_rng(100 + seed)
    p, n = random_instance(rng, 300, 60, max_capacity=5)
    scores = matching.score_matrix(p, n, DISTANCES)
    expected = reference_optimum(scores, n.capacity)
    result = matching.match(p, n, DISTANCES, delta=0, with_greedy=True)
    assert result.certified and result.objective == result.dual_bound == expected
    assert result.greedy_objective <= result.objective
    # Every proposal respects the hard constraints and the capacities.
    index = {int(i): k for k, i in enumerate(p.ids)}
    need_index = {int(i): k for k, i in enumerate(n.ids)}
    load = np.zeros(len(n), dtype=int)
    for a in result.assignments:
        assert all(
            matching.feasible_pair(p, n, DISTANCES, index[a.volunteer], need_index[a.need]).values()
        )
        load[need_index[a.need]] += 1
    assert (load <= n.capacity).all()
    assert len({a.volunteer for a in result.assignments}) == len(result.assignments)


def test_scores_follow_the_rules_of_each_pair():
    rng = np.random.default_rng(7)
    p, n = random_instance(rng, 120, 40, max_capacity=3)
    n.capacity[:3] = 0
    p.availability[:3] = 0  # available at no time: only for needs at any time
    n.half_days[3:6] = 0
    scores = matching.score_matrix(p, n, DISTANCES)
    rows, cols = np.divmod(np.arange(scores.size), len(n))
    total = sum(matching.points(p, n, DISTANCES, rows, cols).values())
    feasible = [
        all(matching.feasible_pair(p, n, DISTANCES, r, c).values())
        for r, c in zip(rows, cols, strict=True)
    ]
    expected = np.where(feasible, total, INFEASIBLE).reshape(scores.shape)
    assert np.array_equal(scores, expected)
    assert 0 < np.count_nonzero(feasible) < scores.size


def test_greedy_takes_the_best_pair_first():
    rng = np.random.default_rng(3)
    rows, cols = rng.integers(0, 40, 400), rng.integers(0, 15, 400)
    weights = rng.integers(0, 20, 400)  # many ties: they go in the given order
    capacity = rng.integers(1, 4, 15)
    free, room, expected = set(range(40)), capacity.copy(), 0
    for i in np.argsort(-weights, kind="stable"):
        if rows[i] in free and room[cols[i]] > 0:
            free.discard(rows[i])
            room[cols[i]] -= 1
            expected += int(weights[i])
    assert matching.greedy(rows, cols, weights, 40, capacity) == expected
