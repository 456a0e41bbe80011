; Mean reversion: buy what is oversold on a short RSI, weighted by inverse volatility;
; when nothing is oversold, hold a balanced stock/bond/gold mix.
(defsymphony
 "Strategy Books example: mean reversion"
 {:asset-class "EQUITIES", :rebalance-threshold 0.05}
 (weight-equal
  [(if
    (< (rsi "SPY" {:window 10}) 30)
    [(weight-inverse-volatility
      10
      [(asset "SPY" "SPDR S&P 500 ETF Trust")
       (asset "QQQ" "Invesco QQQ Trust")])]
    [(if
      (< (rsi "QQQ" {:window 10}) 30)
      [(asset "QQQ" "Invesco QQQ Trust")]
      [(weight-specified
        0.5
        (asset "SPY" "SPDR S&P 500 ETF Trust")
        0.3
        (asset "TLT" "iShares 20+ Year Treasury Bond ETF")
        0.2
        (asset "GLD" "SPDR Gold Shares"))])])]))
