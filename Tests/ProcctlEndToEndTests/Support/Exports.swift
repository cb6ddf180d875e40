// The helpers every test target shares (TestClock, HarnessError, ProcStat...), for every file here.
@_exported import ProcTestSupport
