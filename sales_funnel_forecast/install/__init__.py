# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the installation and the upgrades run once over the existing data:
the rebuilds from the chatter, in SQL."""
