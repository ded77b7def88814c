.PHONY: demo test
demo:  ## set up, then generate a module with devtool new-module and compare Rust with the fallback
	./scripts/demo.sh
test:  ## set up, then run every check and test (what CI runs)
	./scripts/test.sh
