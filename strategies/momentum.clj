; Momentum rotation: hold the two ETFs with the best 60-day return, but only while
; the broad market is above its 200-day average; otherwise park in T-bills.
(defsymphony
 "Strategy Books example: momentum rotation"
 {:asset-class "EQUITIES", :rebalance-threshold 0.05}
 (weight-equal
  [(if
    (> (current-price "SPY") (moving-average-price "SPY" {:window 200}))
    [(filter
      (cumulative-return {:window 60})
      (select-top 2)
      [(asset "SPY" "SPDR S&P 500 ETF Trust")
       (asset "QQQ" "Invesco QQQ Trust")
       (asset "TLT" "iShares 20+ Year Treasury Bond ETF")
       (asset "GLD" "SPDR Gold Shares")
       (asset "IEF" "iShares 7-10 Year Treasury Bond ETF")])]
    [(asset "BIL" "SPDR Bloomberg 1-3 Month T-Bill ETF")])]))
