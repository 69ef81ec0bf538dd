unknown codec 'nosuch'
