; Breakout: half in the equity ETF with the smallest 20-day drawdown, half in gold while
; it trades above its 50-day average (else long bonds); T-bills when the market is in a
; drawdown deeper than 12%.
(defsymphony
 "Strategy Books example: breakout"
 {:asset-class "EQUITIES", :rebalance-threshold 0.05}
 (weight-equal
  [(if
    (> (max-drawdown "SPY" {:window 20}) 12)
    [(asset "BIL" "SPDR Bloomberg 1-3 Month T-Bill ETF")]
    [(weight-equal
      [(group
        "Equities above trend"
        [(filter
          (max-drawdown {:window 20})
          (select-bottom 1)
          [(asset "SPY" "SPDR S&P 500 ETF Trust")
           (asset "QQQ" "Invesco QQQ Trust")])])
       (group
        "Defensive above trend"
        [(if
          (> (current-price "GLD") (moving-average-price "GLD" {:window 50}))
          [(asset "GLD" "SPDR Gold Shares")]
          [(asset "TLT" "iShares 20+ Year Treasury Bond ETF")])])])])]))
