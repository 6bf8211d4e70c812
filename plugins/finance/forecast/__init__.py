"""Fee standards catalogue (收费标准) and income forecast (收入预测): docs/finance/forecast.md."""
