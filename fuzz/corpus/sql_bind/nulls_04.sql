SELECT true AND false, true OR false, NOT true, false OR NULL IS NULL
