"""Results that name what was asked for: recipes after the dish, news headlines after the topic,
dated no later than the episode's today."""

from datetime import date

from simulator.values.computed import ComputeContext, compute

DRAFT_RECIPES = {"recipes": [{"title": "Falcon update", "source": "Allrecipes", "total_minutes": 60, "rating": 4.5, "reviews": 90},
                             {"source": "Serious Eats", "total_minutes": 20, "rating": 4.1, "reviews": 12}]}


def test_recipes_are_named_after_the_dish_and_keep_to_the_time_and_servings_asked():
    ctx = ComputeContext(today=date(2026, 3, 1), seed=3, draft=DRAFT_RECIPES)
    out = compute("recipes", {"query": "lentil soup", "diet": "vegan", "servings": 8, "max_minutes": 45}, ctx)
    titles = [r["title"] for r in out["recipes"]]
    assert all("Lentil Soup" in t for t in titles) and titles[0] == "Vegan Lentil Soup"
    assert all(r["total_minutes"] <= 45 for r in out["recipes"]) and out["servings"] == 8
    zh = compute("recipes", {"query": "红烧肉"}, ComputeContext(today=date(2026, 3, 1), seed=3, draft=DRAFT_RECIPES))
    assert all("红烧肉" in r["title"] for r in zh["recipes"])


def test_news_headlines_name_the_topic_and_are_never_dated_after_today():
    draft = {"articles": [{"source": "AP News", "url": "https://a.example/1"}, {"source": "CNN", "url": "https://a.example/2"},
                          {"source": "Reuters", "url": "https://a.example/3"}]}
    for seed in range(20):
        ctx = ComputeContext(today=date(2026, 6, 14), seed=seed, draft=draft)
        out = compute("news", {"query": "the new subway line", "sort_by": "newest", "from_date": "2026-06-11"}, ctx)
        stamps = [a["published_at"] for a in out["articles"]]
        assert all("2026-06-11" <= s[:10] <= "2026-06-14" for s in stamps)
        assert stamps == sorted(stamps, reverse=True)
        assert all("subway line" in a["title"].lower() for a in out["articles"])


def test_crypto_prices_stay_near_the_coins_level_and_the_cap_follows_the_price():
    for seed in range(20):
        ctx = ComputeContext(today=date(2026, 3, 1), seed=seed)
        bitcoin = compute("crypto_price", {"coin": "bitcoin"}, ctx)
        dogecoin = compute("crypto_price", {"coin": "dogecoin"}, ctx)
        assert 45000 < bitcoin["price"] < 75000 and 0.05 < dogecoin["price"] < 0.2
        assert abs(bitcoin["market_cap_billions"] - bitcoin["price"] * 0.0197) < 1
        euros = compute("crypto_price", {"coin": "bitcoin", "currency": "EUR"}, ctx)
        assert euros["currency"] == "EUR" and euros["price"] != bitcoin["price"]
