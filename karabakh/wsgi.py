import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "karabakh.settings")

application = get_wsgi_application()

# What loading the site made (its code, its models, its URLs) lives as long as the
# process: the cyclic garbage collector need not look at it again (gc.freeze), and a
# request, which allocates a few hundred thousand short-lived objects, runs a young
# collection every 20,000 allocations rather than 2,000. Measured over the long-tail
# mix (docs/performance.md), the collector took 3-4 % of a worker's time before.
gc.freeze()
gc.set_threshold(20_000, 10, 10)
