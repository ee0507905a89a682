SELECT id, strftime(d, '%Y/%m/%d'), strftime(ts, '%H:%M:%S') FROM ev
